import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import path from 'node:path';
import { openDatabase, type Database } from '../../server/db/client';
import { checksum, loadMigrations, migrate, MigrationError, type Migration } from '../../server/db/migrate';
import { ROOT, STORES, createStore, type TestStore } from './harness';

const open = (store: TestStore) => {
  const c = store.config();
  return openDatabase({ databaseUrl: c.databaseUrl, dataDir: path.join(c.dataDir, 'pglite') });
};

const m = (name: string, sql: string): Migration => ({ name, sql, checksum: checksum(sql) });

describe.each(STORES)('migrator (%s)', (storeName) => {
  let store: TestStore;
  const dbs: Database[] = [];
  beforeEach(async () => {
    store = await createStore(storeName);
  });
  afterEach(async () => {
    for (const d of dbs.splice(0)) await d.close();
    await store.dispose();
  });
  const db = async () => {
    const d = await open(store);
    dbs.push(d);
    return d;
  };

  it('applies the real migrations once, then is a no-op', async () => {
    const d = await db();
    const all = await loadMigrations(path.join(ROOT, 'prisma', 'migrations'));
    const first = await migrate(d.sql, all);
    expect(first.applied).toEqual(all.map((x) => x.name));
    const second = await migrate(d.sql, all);
    expect(second).toEqual({ applied: [], alreadyApplied: all.map((x) => x.name) });
  });

  it('applies in name order, each in its own transaction: a failing one leaves earlier ones applied and itself not', async () => {
    const d = await db();
    const ms = [
      m('0001_a', 'CREATE TABLE t_a (x int);'),
      m('0002_b', 'CREATE TABLE t_b (x int); SELECT nope_not_a_function();'),
      m('0003_c', 'CREATE TABLE t_c (x int);'),
    ];
    await expect(migrate(d.sql, ms)).rejects.toThrow();
    const names = await d.sql.query<{ name: string }>('SELECT "name" FROM "_crux_migrations" ORDER BY "name"');
    expect(names.map((r) => r.name)).toEqual(['0001_a']);
    const tables = await d.sql.query<{ t: string }>(
      `SELECT table_name AS t FROM information_schema.tables WHERE table_name LIKE 't\\_%' ORDER BY 1`,
    );
    expect(tables.map((r) => r.t)).toEqual(['t_a']);
  });

  it('refuses to start when an applied migration changed', async () => {
    const d = await db();
    await migrate(d.sql, [m('0001_a', 'CREATE TABLE t_a (x int);')]);
    await expect(migrate(d.sql, [m('0001_a', 'CREATE TABLE t_a (x bigint);')])).rejects.toThrow(/changed after it was applied/);
    await expect(migrate(d.sql, [m('0001_a', 'CREATE TABLE t_a (x bigint);')])).rejects.toBeInstanceOf(MigrationError);
  });

  it('refuses to start when the database has a migration this code does not know', async () => {
    const d = await db();
    await migrate(d.sql, [m('0001_a', 'CREATE TABLE t_a (x int);'), m('0002_b', 'CREATE TABLE t_b (x int);')]);
    await expect(migrate(d.sql, [m('0001_a', 'CREATE TABLE t_a (x int);')])).rejects.toThrow(/does not know/);
  });

  it('is safe when two runs start at once', async () => {
    // Postgres: two pools (two "instances"); PGlite: one database, two concurrent callers.
    const a = await db();
    const b = storeName === 'postgres' ? await db() : a;
    const slow = [m('0001_a', 'CREATE TABLE t_a (x int); SELECT pg_sleep(0.2);'), m('0002_b', 'CREATE TABLE t_b (x int);')];
    const [ra, rb] = await Promise.all([migrate(a.sql, slow), migrate(b.sql, slow)]);
    expect([...ra.applied, ...rb.applied].sort()).toEqual(['0001_a', '0002_b']);
    expect([...ra.alreadyApplied, ...rb.alreadyApplied].sort()).toEqual(['0001_a', '0002_b']);
    const rows = await a.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM "_crux_migrations"');
    expect(rows[0]!.n).toBe(2);
  });

  it('rejects badly named migration folders', async () => {
    const { mkdtemp, mkdir, writeFile } = await import('node:fs/promises');
    const os = await import('node:os');
    const dir = await mkdtemp(path.join(os.tmpdir(), 'crux-mig-'));
    await mkdir(path.join(dir, 'add-things'));
    await writeFile(path.join(dir, 'add-things', 'migration.sql'), 'SELECT 1;');
    await expect(loadMigrations(dir)).rejects.toThrow(/NNNN_snake_case/);
  });
});

describe.each(STORES.filter((s) => s === 'postgres'))('database client (%s)', (storeName) => {
  it('plans named statements afresh on every pooled connection, including ones opened later', async () => {
    // A generic plan made while "Vote" was nearly empty scanned every vote of a debate for each
    // vote cast (bench/RESULTS.md, "Vote throughput"); server/db/client.ts sets this per connection.
    const store = await createStore(storeName);
    const d = await open(store);
    try {
      // More at once than the pool keeps idle, so that connections are opened while others are busy.
      const modes = await Promise.all(
        Array.from({ length: 25 }, () =>
          d.sql.query<{ m: string }>(`SELECT current_setting('plan_cache_mode') AS m, pg_sleep(0.02)`, [], 'crux_test_plan_mode'),
        ),
      );
      expect(new Set(modes.map((r) => r[0]!.m))).toEqual(new Set(['force_custom_plan']));
    } finally {
      await d.close();
      await store.dispose();
    }
  });
});
