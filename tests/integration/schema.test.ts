import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { openDatabase, type Database } from '../../server/db/client';
import { loadMigrations, migrate } from '../../server/db/migrate';
import { ROOT, STORES, createStore, type TestStore } from './harness';
import { parsePrismaSchema, type SchemaTable } from './prismaSchema';

async function liveSchema(db: Database, tables: string[]): Promise<SchemaTable[]> {
  const cols = await db.sql.query<{
    table_name: string;
    column_name: string;
    data_type: string;
    is_nullable: string;
    precision: number | null;
    len: number | null;
  }>(
    `SELECT c.table_name, c.column_name, c.data_type, c.is_nullable, c.datetime_precision AS precision, c.character_maximum_length AS len
       FROM information_schema.columns c WHERE c.table_schema = 'public' ORDER BY c.table_name, c.ordinal_position`,
  );
  const idx = await db.sql.query<{ table: string; unique: boolean; primary: boolean; cols: string[] }>(
    `SELECT t.relname AS "table", ix.indisunique AS "unique", ix.indisprimary AS "primary",
            array_agg(a.attname::text ORDER BY k.ord) AS cols
       FROM pg_index ix
       JOIN pg_class t ON t.oid = ix.indrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace AND n.nspname = 'public'
       CROSS JOIN LATERAL unnest(ix.indkey) WITH ORDINALITY AS k(attnum, ord)
       JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
      GROUP BY t.relname, ix.indexrelid, ix.indisunique, ix.indisprimary`,
  );
  return tables.map((name) => ({
    name,
    columns: cols
      .filter((c) => c.table_name === name)
      .map((c) => {
        let type = c.data_type;
        if (type.startsWith('timestamp')) type = `timestamp(${c.precision}) ${type.slice('timestamp '.length)}`;
        if (type === 'character varying' && c.len) type = `character varying(${c.len})`;
        return { name: c.column_name, type, nullable: c.is_nullable === 'YES' };
      }),
    uniques: idx.filter((i) => i.table === name && i.unique).map((i) => i.cols),
    indexes: idx.filter((i) => i.table === name && !i.unique).map((i) => i.cols),
  }));
}

const norm = (t: SchemaTable) => ({
  name: t.name,
  columns: [...t.columns].sort((a, b) => a.name.localeCompare(b.name)),
  uniques: t.uniques.map((u) => u.join(',')).sort(),
  indexes: t.indexes.map((u) => u.join(',')).sort(),
});

describe.each(STORES)('migrations match prisma/schema/*.prisma (%s)', (storeName) => {
  let store: TestStore;
  let db: Database;
  beforeAll(async () => {
    store = await createStore(storeName);
    const c = store.config();
    db = await openDatabase({ databaseUrl: c.databaseUrl, dataDir: path.join(c.dataDir, 'pglite') });
    await migrate(db.sql, await loadMigrations(path.join(ROOT, 'prisma', 'migrations')));
  });
  afterAll(async () => {
    await db?.close();
    await store?.dispose();
  });

  it('has exactly the schema tables (plus the migrator table), with the same columns, types, nullability and indexes', async () => {
    const dir = path.join(ROOT, 'prisma', 'schema');
    const files = (await readdir(dir)).filter((f) => f.endsWith('.prisma')).sort();
    const expected = parsePrismaSchema((await Promise.all(files.map((f) => readFile(path.join(dir, f), 'utf8')))).join('\n'));
    expect(expected.length).toBeGreaterThan(0);
    const tables = await db.sql.query<{ t: string }>(
      `SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`,
    );
    expect(tables.map((r) => r.t).sort()).toEqual([...expected.map((t) => t.name), '_crux_migrations'].sort());
    const live = await liveSchema(
      db,
      expected.map((t) => t.name),
    );
    for (const t of expected) expect(norm(live.find((l) => l.name === t.name)!)).toEqual(norm(t));
  });

  it('the schema reader is not vacuous: it sees a nullable column and a composite index', () => {
    const t = parsePrismaSchema(
      `model A {\n  id String @id\n  b Int?\n  c DateTime @db.Timestamptz(3)\n  @@index([b, c])\n  @@unique([c])\n}`,
    );
    expect(t).toEqual([
      {
        name: 'A',
        columns: [
          { name: 'id', type: 'text', nullable: false },
          { name: 'b', type: 'integer', nullable: true },
          { name: 'c', type: 'timestamp(3) with time zone', nullable: false },
        ],
        uniques: [['id'], ['c']],
        indexes: [['b', 'c']],
      },
    ]);
  });
});
