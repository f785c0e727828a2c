import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { claimsMap } from '../../lib/model/doc';
import type { Sql } from '../../server/db/sql';
import { SqlDocStore } from '../../server/persistence/docStore';
import { GroupCommitWriter } from '../../server/persistence/writer';
import { STORES, claimEdits, createDebateRow, serverPerSuite } from './harness';

/*
 * [harden] 2, "nothing duplicated": a group commit whose COMMIT reached the database but whose
 * acknowledgement never came back (the connection dropped in between) looks like a failure to
 * the writer, which retries it. The retry must find its own earlier commit and store nothing
 * again. The lost acknowledgement is simulated exactly: the real transaction commits, then the
 * call throws as a dropped connection would.
 */

/**
 * The real Sql, whose next `n` calls (a statement sent alone, or a transaction) either commit and
 * then throw, or throw before reaching the database.
 */
function losingAcks(sql: Sql): Sql & { loseNext(n: number, when: 'after-commit' | 'before-commit'): void } {
  let left = 0;
  let mode: 'after-commit' | 'before-commit' = 'after-commit';
  const run = async <T>(work: () => Promise<T>): Promise<T> => {
    if (left > 0 && mode === 'before-commit') {
      left--;
      throw new Error('connection terminated unexpectedly (before COMMIT)');
    }
    const out = await work();
    if (left > 0) {
      left--;
      throw new Error('connection terminated unexpectedly (COMMIT sent, no reply)');
    }
    return out;
  };
  return {
    kind: sql.kind,
    query: (text, params, prepared) => run(() => sql.query(text, params, prepared)),
    exec: (text) => sql.exec(text),
    session: (fn) => sql.session(fn),
    transaction: (fn) => run(() => sql.transaction(fn)),
    loseNext(n, when) {
      left = n;
      mode = when;
    },
  };
}

for (const name of STORES) {
  describe(`a lost commit acknowledgement (${name})`, () => {
    const suite = serverPerSuite(name);

    const rows = (debateId: string) => suite.server.db.prisma.docUpdate.count({ where: { debateId } });

    it('is retried without storing the batch twice; every write resolves once', async () => {
      const id = `ack-${name}`;
      await createDebateRow(suite.server, id);
      const sql = losingAcks(suite.server.db.sql);
      const writer = new GroupCommitWriter(new SqlDocStore(sql), { retryMinMs: 5, retryMaxMs: 20 });
      sql.loseNext(2, 'after-commit'); // the first attempt and its first retry both "fail" after committing
      const updates = claimEdits(5, 'a');
      const done = await Promise.all(updates.map((u) => writer.write(id, u)));
      expect(done).toHaveLength(5);
      expect(writer.stats.failures).toBe(2);
      expect(await rows(id)).toBe(5);
      // The next batches are ordinary.
      await Promise.all(claimEdits(3, 'b').map((u) => writer.write(id, u)));
      expect(await rows(id)).toBe(8);
      const loaded = new Y.Doc();
      for (const u of (await new SqlDocStore(suite.server.db.sql).load(id)).updates) Y.applyUpdate(loaded, u);
      expect([...claimsMap(loaded).keys()].sort()).toEqual(['a0', 'a1', 'a2', 'a3', 'a4', 'b0', 'b1', 'b2']);
    });

    it('a commit that really failed is written by its retry', async () => {
      const id = `noack-${name}`;
      await createDebateRow(suite.server, id);
      const sql = losingAcks(suite.server.db.sql);
      const writer = new GroupCommitWriter(new SqlDocStore(sql), { retryMinMs: 5, retryMaxMs: 20 });
      sql.loseNext(2, 'before-commit');
      await Promise.all(claimEdits(4, 'c').map((u) => writer.write(id, u)));
      expect(writer.stats.failures).toBe(2);
      expect(await rows(id)).toBe(4);
    });

    it('updates queued during the retries wait for the next commit and are stored once too', async () => {
      const id = `queued-${name}`;
      await createDebateRow(suite.server, id);
      const sql = losingAcks(suite.server.db.sql);
      const writer = new GroupCommitWriter(new SqlDocStore(sql), { retryMinMs: 30, retryMaxMs: 30 });
      sql.loseNext(1, 'after-commit');
      const first = claimEdits(2, 'd');
      const p1 = Promise.all(first.map((u) => writer.write(id, u)));
      // Arrives while the first batch is failing / backing off.
      await new Promise((r) => setTimeout(r, 10));
      const p2 = Promise.all(claimEdits(3, 'e').map((u) => writer.write(id, u)));
      await Promise.all([p1, p2]);
      expect(await rows(id)).toBe(5);
    });
  });
}
