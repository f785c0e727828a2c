import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { claimsMap } from '../../lib/model/doc';
import { SqlDocStore, mergeHere } from '../../server/persistence/docStore';
import { STORES, claimEdits, createDebateRow, serverPerSuite } from './harness';

/*
 * Compaction (SqlDocStore.compact) reads the log, merges with no transaction open, then writes
 * the snapshot under the debate's compaction lock, unless another compaction committed in
 * between. While a merge runs (most of a second for a large debate, at the lowest CPU priority
 * in the worker), the database stays free: on PGlite a transaction held over the merge blocked
 * every other statement of the process, appends included. And a compaction overtaken by another
 * must not overwrite the newer snapshot, which may hold rows it never read.
 */

/** A merge that waits for `release()`; `started` resolves when compaction reaches it. */
function gatedMerge() {
  let release!: () => void;
  let started!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const reached = new Promise<void>((r) => (started = r));
  return {
    merge: async (updates: Uint8Array[]) => {
      started();
      await gate;
      return mergeHere(updates);
    },
    started: reached,
    release: () => release(),
  };
}

const within = <T>(p: Promise<T>, ms: number, what: string): Promise<T> =>
  Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms))]);

for (const name of STORES) {
  describe(`compaction (${name})`, () => {
    const suite = serverPerSuite(name);

    const append = (docs: SqlDocStore, id: string, updates: Uint8Array[]) => docs.append(updates.map((data) => ({ debateId: id, data })));
    const claimsIn = async (id: string) => {
      const doc = new Y.Doc();
      const loaded = await new SqlDocStore(suite.server.db.sql).load(id);
      for (const u of loaded.updates) Y.applyUpdate(doc, u);
      return { claims: [...claimsMap(doc).keys()].sort(), logCount: loaded.logCount };
    };

    it('holds no transaction while it merges: appends go through, and what they add stays in the log', async () => {
      const id = `compact-free-${name}`;
      await createDebateRow(suite.server, id);
      const gated = gatedMerge();
      const docs = new SqlDocStore(suite.server.db.sql, { merge: gated.merge });
      await append(docs, id, claimEdits(5, 'a'));
      const compaction = docs.compact(id);
      await gated.started;
      if (name === 'postgres') {
        const [open] = await suite.server.db.sql.query<{ n: number }>(
          `SELECT count(*)::int AS "n" FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'`,
        );
        expect(open!.n).toBe(0);
      }
      // On PGlite this waited for the merge (the one connection was held by its transaction).
      await within(append(docs, id, claimEdits(1, 'b')), 5000, 'an append during the merge');
      gated.release();
      expect(await compaction).toMatchObject({ folded: 5 });
      expect(await claimsIn(id)).toEqual({ claims: ['a0', 'a1', 'a2', 'a3', 'a4', 'b0'], logCount: 1 });
    });

    it('an overtaken compaction is dropped and loses nothing', async () => {
      const id = `compact-stale-${name}`;
      await createDebateRow(suite.server, id);
      const gated = gatedMerge();
      const slow = new SqlDocStore(suite.server.db.sql, { merge: gated.merge });
      const other = new SqlDocStore(suite.server.db.sql);
      await append(other, id, claimEdits(5, 'a'));
      const stale = slow.compact(id); // reads a0–a4, then waits in its merge
      await gated.started;
      await append(other, id, claimEdits(3, 'b'));
      // Another instance compacts meanwhile: its snapshot holds a and b.
      expect(await other.compact(id)).toMatchObject({ folded: 8 });
      await append(other, id, claimEdits(1, 'c'));
      gated.release();
      // Written, the stale snapshot (a only) would have replaced the one holding b.
      expect(await stale).toMatchObject({ folded: 0, skipped: true });
      expect(await claimsIn(id)).toEqual({ claims: ['a0', 'a1', 'a2', 'a3', 'a4', 'b0', 'b1', 'b2', 'c0'], logCount: 1 });
      // The next compaction folds the rest.
      expect(await other.compact(id)).toMatchObject({ folded: 1 });
      expect(await claimsIn(id)).toEqual({ claims: ['a0', 'a1', 'a2', 'a3', 'a4', 'b0', 'b1', 'b2', 'c0'], logCount: 0 });
    });

    it('a load reports the size and fold count of the snapshot the last compaction wrote (they scale the next threshold)', async () => {
      const id = `compact-size-${name}`;
      await createDebateRow(suite.server, id);
      const docs = new SqlDocStore(suite.server.db.sql);
      expect(await docs.load(id)).toMatchObject({ snapshotBytes: 0, snapshotFolded: 0 });
      expect(await docs.compact(id)).toEqual({ folded: 0, snapshot: undefined });
      await append(docs, id, claimEdits(4, 'a'));
      const first = await docs.compact(id);
      expect(first).toMatchObject({ folded: 4, snapshot: { folded: 4 } });
      expect(first.snapshot!.bytes).toBeGreaterThan(0);
      expect(await docs.load(id)).toMatchObject({ snapshotBytes: first.snapshot!.bytes, snapshotFolded: 4 });
      await append(docs, id, claimEdits(3, 'b'));
      const second = await docs.compact(id);
      expect(second).toMatchObject({ folded: 3, snapshot: { folded: 7 } });
      expect(second.snapshot!.bytes).toBeGreaterThan(first.snapshot!.bytes);
      expect(await docs.load(id)).toMatchObject({ snapshotBytes: second.snapshot!.bytes, snapshotFolded: 7, logCount: 0 });
      // Nothing to fold: the stored snapshot as it is.
      expect(await docs.compact(id)).toEqual({ folded: 0, snapshot: second.snapshot });
    });
  });
}
