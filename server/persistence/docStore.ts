import * as Y from 'yjs';
import type { Sql, SqlTx } from '../db/sql';

/** One Yjs update bound for a debate's log. */
export interface PendingUpdate {
  debateId: string;
  data: Uint8Array;
}

export interface LoadedDoc {
  /** Snapshot first (if any), then every log row in id order. Applying all of them rebuilds the doc. */
  updates: Uint8Array[];
  /** Rows still in the log, and their bytes: drives the compaction threshold. */
  logCount: number;
  logBytes: number;
  /** Bytes of the stored snapshot (0 or absent: none). */
  snapshotBytes?: number;
  /** Highest log row id read (null: the log was empty); where a cross-instance repair resumes. */
  lastId?: string | null;
  /** DocSnapshot.updatesFolded as read: it changes exactly when a compaction commits. */
  snapshotFolded?: number;
}

/** What a repair read since a known position (server/scale): rows after it, and the snapshot if it changed. */
export interface SinceRead {
  /** Set when the snapshot changed since `snapshotFolded` (a compaction may have folded rows we never saw). */
  snapshot?: { folded: number; data: Uint8Array };
  /** Log rows after the given id in id order; `data` is null for ids the caller said it already has. */
  rows: { id: string; data: Uint8Array | null }[];
}

export interface CompactResult {
  folded: number;
  /**
   * The snapshot stored when this call ended: its size and its `updatesFolded` (which every
   * compaction raises, so a larger value is a newer snapshot). Absent when skipped, and when the
   * debate has no snapshot.
   */
  snapshot?: { bytes: number; folded: number };
  /**
   * Nothing was done here: another compaction of the debate was writing (its lock was taken), or
   * had committed since this one read the log, so this one's merge was stale.
   */
  skipped?: boolean;
}

export interface SqlDocStoreOptions {
  /**
   * Serialise appends per debate with a transaction-scoped advisory lock, so that a debate's log
   * ids commit in increasing order even when several instances append to it. Cross-instance
   * repair (server/scale) relies on this: after reading every row up to id N, no row with a
   * lower id can still appear. One extra statement per debate per commit; off for one instance.
   */
  orderedAppends?: boolean;
  /**
   * How compaction merges the snapshot and the log rows (server/persistence/mergeWorker.ts runs
   * it in a worker thread); on the calling thread when absent.
   */
  merge?: (updates: Uint8Array[]) => Promise<Uint8Array>;
}

/**
 * Where Yjs documents live. Implementations must make `append` atomic for the whole batch
 * (group commit) and `compact` atomic per debate, and must never delete a log row that the
 * compaction did not fold into the snapshot.
 */
export interface DocStore {
  load(debateId: string): Promise<LoadedDoc>;
  /**
   * May resolve with the new rows' ids, in batch order (the cross-instance relay uses them).
   * `commit` names this group commit; `retry` says an earlier attempt with the same id failed
   * and may nevertheless have committed (a lost acknowledgement), in which case nothing is
   * written again and no ids are returned.
   */
  append(batch: PendingUpdate[], commit?: { id: string; retry: boolean }): Promise<void | string[]>;
  compact(debateId: string): Promise<CompactResult>;
}

/** Postgres caps a statement at 65,535 parameters; two per row leaves ample headroom. */
const ROWS_PER_INSERT = 1000;

/** Compaction's merge on the calling thread: the snapshot and the rows, one Yjs transaction, re-encoded (garbage collected). */
export function mergeHere(updates: Uint8Array[]): Uint8Array {
  const doc = new Y.Doc();
  try {
    Y.transact(doc, () => {
      for (const u of updates) Y.applyUpdate(doc, u);
    });
    return Y.encodeStateAsUpdate(doc);
  } finally {
    doc.destroy();
  }
}

const toBytes = (v: unknown): Uint8Array => {
  if (v instanceof Uint8Array) return v;
  throw new Error(`expected bytea, got ${typeof v}`);
};

export class SqlDocStore implements DocStore {
  constructor(
    private readonly sql: Sql,
    private readonly opts: SqlDocStoreOptions = {},
  ) {}

  /**
   * The snapshot and every log row in id order, read in one transaction from the same moment: a
   * compaction committing in between cannot make the reader miss rows it folded.
   */
  private readAll(debateId: string): Promise<{ snap?: { data: unknown; updatesFolded: number }; rows: { id: unknown; data: unknown }[] }> {
    return this.sql.transaction(async (tx) => {
      if (this.sql.kind === 'postgres') await tx.exec('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
      const snap = await tx.query<{ data: unknown; updatesFolded: number }>(
        'SELECT "data", "updatesFolded" FROM "DocSnapshot" WHERE "debateId" = $1',
        [debateId],
      );
      const rows = await tx.query<{ id: unknown; data: unknown }>(
        'SELECT "id", "data" FROM "DocUpdate" WHERE "debateId" = $1 ORDER BY "id"',
        [debateId],
      );
      return { snap: snap[0], rows };
    });
  }

  async load(debateId: string): Promise<LoadedDoc> {
    const { snap, rows } = await this.readAll(debateId);
    const updates: Uint8Array[] = [];
    if (snap) updates.push(toBytes(snap.data));
    const snapshotBytes = updates[0]?.byteLength ?? 0;
    let logBytes = 0;
    for (const r of rows) {
      const d = toBytes(r.data);
      logBytes += d.byteLength;
      updates.push(d);
    }
    const last = rows[rows.length - 1];
    return {
      updates,
      logCount: rows.length,
      logBytes,
      snapshotBytes,
      lastId: last ? String(last.id) : null,
      snapshotFolded: snap ? Number(snap.updatesFolded) : 0,
    };
  }

  async append(batch: PendingUpdate[], commit?: { id: string; retry: boolean }): Promise<void | string[]> {
    if (batch.length === 0) return [];
    // The common case is one INSERT, which is atomic by itself: sent alone it saves the BEGIN and
    // COMMIT round trips (and the wait for a pooled connection between them) on every commit.
    if (!commit?.retry && !this.opts.orderedAppends && batch.length <= ROWS_PER_INSERT) return this.insertRows(this.sql, batch, commit);
    return this.sql.transaction(async (tx) => {
      if (commit?.retry) {
        const seen = await tx.query('SELECT 1 FROM "DocUpdate" WHERE "commitId" = $1::uuid', [commit.id]);
        // Its rows are stored. (Unless a compaction folded them away meanwhile: then they are
        // stored again below, which a Yjs document absorbs without change.)
        if (seen.length > 0) return;
      }
      if (this.opts.orderedAppends) {
        // Sorted, so two instances appending to the same debates take the locks in one order.
        for (const id of [...new Set(batch.map((u) => u.debateId))].sort())
          await tx.query(`SELECT pg_advisory_xact_lock(hashtext('crux:append:' || $1))`, [id]);
      }
      const ids: string[] = [];
      for (let i = 0; i < batch.length; i += ROWS_PER_INSERT)
        ids.push(...(await this.insertRows(tx, batch.slice(i, i + ROWS_PER_INSERT), i === 0 ? commit : undefined)));
      return ids;
    });
  }

  /** One multi-row INSERT; the first row carries the commit id. Returns the ids in row order. */
  private async insertRows(q: Pick<SqlTx, 'query'>, rows: PendingUpdate[], commit?: { id: string }): Promise<string[]> {
    const params: unknown[] = [];
    const values = rows.map((u, j) => {
      params.push(u.debateId, u.data);
      return `($${2 * j + 1}, $${2 * j + 2}, ${j === 0 && commit ? `$${2 * rows.length + 1}::uuid` : 'NULL::uuid'})`;
    });
    if (commit) params.push(commit.id);
    // A multi-row VALUES draws its ids from the sequence in row order; RETURNING is sorted to
    // match rather than trusting its output order.
    const out = await q.query<{ id: unknown }>(
      `INSERT INTO "DocUpdate" ("debateId", "data", "commitId") VALUES ${values.join(', ')} RETURNING "id"`,
      params,
    );
    return out
      .map((x) => BigInt(String(x.id)))
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
      .map(String);
  }

  /**
   * The repair read of server/scale: in one consistent snapshot, the debate's snapshot if
   * `updatesFolded` differs from `snapshotFolded`, and every log row after `afterId` — with its
   * data unless its id is in `have`.
   */
  async readSince(debateId: string, afterId: string | null, have: string[], snapshotFolded: number): Promise<SinceRead> {
    return this.sql.transaction(async (tx) => {
      if (this.sql.kind === 'postgres') await tx.exec('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
      const snap = await tx.query<{ updatesFolded: number; data: unknown }>(
        'SELECT "updatesFolded", CASE WHEN "updatesFolded" <> $2 THEN "data" END AS "data" FROM "DocSnapshot" WHERE "debateId" = $1',
        [debateId, snapshotFolded],
      );
      const rows = await tx.query<{ id: unknown; data: unknown }>(
        `SELECT "id", CASE WHEN "id" = ANY($3::bigint[]) THEN NULL ELSE "data" END AS "data"
           FROM "DocUpdate" WHERE "debateId" = $1 AND "id" > $2::bigint ORDER BY "id"`,
        [debateId, afterId ?? '0', have],
      );
      const s = snap[0];
      return {
        snapshot: s && s.data !== null && s.data !== undefined ? { folded: Number(s.updatesFolded), data: toBytes(s.data) } : undefined,
        rows: rows.map((r) => ({ id: String(r.id), data: r.data === null || r.data === undefined ? null : toBytes(r.data) })),
      };
    });
  }

  /**
   * Folds the log into the snapshot in three steps, so that no transaction (and, on PGlite, not
   * its one connection) is held while the merge runs: the merge of a large debate takes most of
   * a second, and the merge worker runs at the lowest CPU priority (merge.worker.mjs).
   * 1. Read the snapshot and every log row in one consistent snapshot of the database (readAll).
   * 2. Merge, outside any transaction.
   * 3. In one transaction, under the debate's compaction lock: if no other compaction has
   *    committed since step 1 (`updatesFolded` is unchanged: every compaction raises it), write
   *    the merged snapshot and delete exactly the rows read in step 1. Rows appended meanwhile stay
   *    in the log. If another compaction did commit, ours is stale (that one may have folded rows
   *    ours never read) and is dropped: `skipped`.
   */
  async compact(debateId: string): Promise<CompactResult> {
    const { snap, rows } = await this.readAll(debateId);
    if (rows.length === 0)
      return { folded: 0, snapshot: snap ? { bytes: toBytes(snap.data).byteLength, folded: Number(snap.updatesFolded) } : undefined };
    const updates = [...(snap ? [toBytes(snap.data)] : []), ...rows.map((r) => toBytes(r.data))];
    // One Yjs transaction for all rows (per-row transactions made compaction of a 500-row log
    // several times slower), off the event loop when a merger is given (bench/RESULTS.md).
    const merged = this.opts.merge ? await this.opts.merge(updates) : mergeHere(updates);
    const foldedBefore = snap ? Number(snap.updatesFolded) : null;
    return this.sql.transaction(async (tx) => {
      // One compaction write per debate at a time across instances; appends are not blocked.
      const [lock] = await tx.query<{ ok: boolean }>(`SELECT pg_try_advisory_xact_lock(hashtext('crux:compact:' || $1)) AS "ok"`, [
        debateId,
      ]);
      if (!lock?.ok) return { folded: 0, skipped: true };
      const [now] = await tx.query<{ updatesFolded: number }>(
        'SELECT "updatesFolded" FROM "DocSnapshot" WHERE "debateId" = $1 FOR UPDATE',
        [debateId],
      );
      if ((now ? Number(now.updatesFolded) : null) !== foldedBefore) return { folded: 0, skipped: true };
      const [written] = await tx.query<{ updatesFolded: number }>(
        `INSERT INTO "DocSnapshot" ("debateId", "data", "updatesFolded", "updatedAt") VALUES ($1, $2, $3, now())
         ON CONFLICT ("debateId") DO UPDATE SET "data" = EXCLUDED."data",
           "updatesFolded" = "DocSnapshot"."updatesFolded" + EXCLUDED."updatesFolded", "updatedAt" = now()
         RETURNING "updatesFolded"`,
        [debateId, merged, rows.length],
      );
      // Delete exactly the rows folded above. A row committed after our read (or with a lower
      // id that was still in flight) stays in the log and is applied on the next load.
      await tx.query('DELETE FROM "DocUpdate" WHERE "debateId" = $1 AND "id" = ANY($2::bigint[])', [
        debateId,
        rows.map((r) => String(r.id)),
      ]);
      return { folded: rows.length, snapshot: { bytes: merged.byteLength, folded: Number(written!.updatesFolded) } };
    });
  }
}
