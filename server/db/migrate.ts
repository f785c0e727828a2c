import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Sql } from './sql';

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export class MigrationError extends Error {
  override name = 'MigrationError';
}

/** Any 64-bit constant works; it only has to be the same in every instance of Crux. */
const MIGRATION_LOCK_KEY = 727_274_001;
const NAME_PATTERN = /^\d{4}_[a-z0-9_]+$/;

export const checksum = (sql: string): string => createHash('sha256').update(sql.replace(/\r\n/g, '\n')).digest('hex');

export async function loadMigrations(dir: string): Promise<Migration[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  const out: Migration[] = [];
  for (const name of names) {
    if (!NAME_PATTERN.test(name)) throw new MigrationError(`migration folder ${name} must be named NNNN_snake_case`);
    const sql = await readFile(path.join(dir, name, 'migration.sql'), 'utf8');
    out.push({ name, sql, checksum: checksum(sql) });
  }
  return out;
}

export interface MigrateResult {
  applied: string[];
  alreadyApplied: string[];
}

/**
 * Applies pending migrations in name order, each in its own transaction, under a session-level
 * advisory lock so that instances starting together take turns instead of racing. Refuses to run
 * when an applied migration's file has changed or the database knows a migration this code
 * does not (a newer release ran against it).
 */
export async function migrate(sql: Sql, migrations: Migration[]): Promise<MigrateResult> {
  return sql.session(async (s) => {
    await s.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await s.exec(`CREATE TABLE IF NOT EXISTS "_crux_migrations" (
        "name" TEXT PRIMARY KEY,
        "checksum" TEXT NOT NULL,
        "appliedAt" TIMESTAMPTZ NOT NULL DEFAULT now()
      )`);
      const rows = await s.query<{ name: string; checksum: string }>('SELECT "name", "checksum" FROM "_crux_migrations" ORDER BY "name"');
      const applied = new Map(rows.map((r) => [r.name, r.checksum]));
      const known = new Set(migrations.map((m) => m.name));
      for (const name of applied.keys())
        if (!known.has(name)) throw new MigrationError(`database has migration ${name} that this code does not know; refusing to start`);
      const result: MigrateResult = { applied: [], alreadyApplied: [] };
      for (const m of migrations) {
        const sum = applied.get(m.name);
        if (sum !== undefined) {
          if (sum !== m.checksum)
            throw new MigrationError(
              `migration ${m.name} was changed after it was applied (checksum ${sum.slice(0, 12)} ≠ ${m.checksum.slice(0, 12)}); refusing to start`,
            );
          result.alreadyApplied.push(m.name);
          continue;
        }
        await s.transaction(async (tx) => {
          await tx.exec(m.sql);
          await tx.query('INSERT INTO "_crux_migrations" ("name", "checksum") VALUES ($1, $2)', [m.name, m.checksum]);
        });
        result.applied.push(m.name);
      }
      return result;
    } finally {
      await s.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  });
}
