import * as Y from 'yjs';
import type { Sql } from '../db/sql';

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
}

export interface CompactResult {
  folded: number;
  snapshotBytes: number;
}

/**
 * Where Yjs documents live. Implementations must make `append` atomic for the whole batch
 * (group commit) and `compact` atomic per debate, and must never delete a log row that the
 * compaction did not fold into the snapshot.
 */
export interface DocStore {
  load(debateId: string): Promise<LoadedDoc>;
  append(batch: PendingUpdate[]): Promise<void>;
  compact(debateId: string): Promise<CompactResult>;
}

/** Postgres caps a statement at 65,535 parameters; two per row leaves ample headroom. */
const ROWS_PER_INSERT = 1000;

const toBytes = (v: unknown): Uint8Array => {
  if (v instanceof Uint8Array) return v;
  throw new Error(`expected bytea, got ${typeof v}`);
};

export class SqlDocStore implements DocStore {
  constructor(private readonly sql: Sql) {}

  async load(debateId: string): Promise<LoadedDoc> {
    // One transaction so the snapshot and the log are read from the same moment: a compaction
    // committing in between cannot make us miss rows it folded.
    return this.sql.transaction(async (tx) => {
      if (this.sql.kind === 'postgres') await tx.exec('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
      const snap = await tx.query<{ data: unknown }>('SELECT "data" FROM "DocSnapshot" WHERE "debateId" = $1', [debateId]);
      const rows = await tx.query<{ data: unknown }>('SELECT "data" FROM "DocUpdate" WHERE "debateId" = $1 ORDER BY "id"', [debateId]);
      const updates: Uint8Array[] = [];
      if (snap[0]) updates.push(toBytes(snap[0].data));
      let logBytes = 0;
      for (const r of rows) {
        const d = toBytes(r.data);
        logBytes += d.byteLength;
        updates.push(d);
      }
      return { updates, logCount: rows.length, logBytes };
    });
  }

  async append(batch: PendingUpdate[]): Promise<void> {
    if (batch.length === 0) return;
    await this.sql.transaction(async (tx) => {
      for (let i = 0; i < batch.length; i += ROWS_PER_INSERT) {
        const chunk = batch.slice(i, i + ROWS_PER_INSERT);
        const params: unknown[] = [];
        const values = chunk.map((u, j) => {
          params.push(u.debateId, u.data);
          return `($${2 * j + 1}, $${2 * j + 2})`;
        });
        await tx.query(`INSERT INTO "DocUpdate" ("debateId", "data") VALUES ${values.join(', ')}`, params);
      }
    });
  }

  async compact(debateId: string): Promise<CompactResult> {
    return this.sql.transaction(async (tx) => {
      // Serialises compactions of one debate across instances; appends are not blocked.
      await tx.query(`SELECT pg_advisory_xact_lock(hashtext('crux:compact:' || $1))`, [debateId]);
      const snap = await tx.query<{ data: unknown }>('SELECT "data" FROM "DocSnapshot" WHERE "debateId" = $1', [debateId]);
      const rows = await tx.query<{ id: string | number | bigint; data: unknown }>(
        'SELECT "id", "data" FROM "DocUpdate" WHERE "debateId" = $1 ORDER BY "id"',
        [debateId],
      );
      if (rows.length === 0) return { folded: 0, snapshotBytes: snap[0] ? toBytes(snap[0].data).byteLength : 0 };
      const doc = new Y.Doc();
      try {
        // One Yjs transaction for all rows: per-row transactions made compaction of a 500-row log
        // several times slower (bench/RESULTS.md).
        Y.transact(doc, () => {
          if (snap[0]) Y.applyUpdate(doc, toBytes(snap[0].data));
          for (const r of rows) Y.applyUpdate(doc, toBytes(r.data));
        });
        const merged = Y.encodeStateAsUpdate(doc);
        await tx.query(
          `INSERT INTO "DocSnapshot" ("debateId", "data", "updatesFolded", "updatedAt") VALUES ($1, $2, $3, now())
           ON CONFLICT ("debateId") DO UPDATE SET "data" = EXCLUDED."data",
             "updatesFolded" = "DocSnapshot"."updatesFolded" + EXCLUDED."updatesFolded", "updatedAt" = now()`,
          [debateId, merged, rows.length],
        );
        // Delete exactly the rows folded above. A row committed after our read (or with a lower
        // id that was still in flight) stays in the log and is applied on the next load.
        await tx.query('DELETE FROM "DocUpdate" WHERE "debateId" = $1 AND "id" = ANY($2::bigint[])', [
          debateId,
          rows.map((r) => String(r.id)),
        ]);
        return { folded: rows.length, snapshotBytes: merged.byteLength };
      } finally {
        doc.destroy();
      }
    });
  }
}
