/*
 * What one group commit costs on Postgres, as SqlDocStore.append does it and as it could:
 * `node bench/commit-cost.mjs` (BENCH_PG_URL as for run.mjs; makes and drops its own database).
 *
 *   pool + BEGIN/INSERT/COMMIT   today: check a client out of the pool, three round trips
 *   one INSERT … unnest          one statement (atomic on its own), one round trip, any batch size
 *   SELECT 1                     the round trip alone, for scale
 *
 * Each variant writes a batch of one 80-byte update (the fan-out case) and of 20 (a busy group
 * commit), alternating variants, pinned to core 0 like the server. Medians and p99 in ms.
 */
import { performance } from 'node:perf_hooks';
import pg from 'pg';

const ADMIN = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const N = Number(process.env.BENCH_REPS ?? 400);
const name = `crux_bench_${Math.random().toString(36).slice(2, 10)}`;
const admin = async (sql) => {
  const c = new pg.Client({ connectionString: ADMIN });
  await c.connect();
  await c.query(sql);
  await c.end();
};
await admin(`CREATE DATABASE "${name}"`);
const url = new URL(ADMIN);
url.pathname = `/${name}`;
const pool = new pg.Pool({ connectionString: url.toString(), max: 10 });
try {
  await pool.query('CREATE TABLE "DocUpdate" ("id" BIGSERIAL PRIMARY KEY, "debateId" TEXT NOT NULL, "data" BYTEA NOT NULL)');
  const batchOf = (n) => Array.from({ length: n }, (_, i) => ({ debateId: 'bench', data: Buffer.alloc(80, i) }));
  const variants = {
    'pool + BEGIN/INSERT/COMMIT': async (batch) => {
      const c = await pool.connect();
      try {
        await c.query('BEGIN');
        const params = [];
        const values = batch.map((u, j) => {
          params.push(u.debateId, u.data);
          return `($${2 * j + 1}, $${2 * j + 2})`;
        });
        await c.query(`INSERT INTO "DocUpdate" ("debateId", "data") VALUES ${values.join(', ')}`, params);
        await c.query('COMMIT');
      } finally {
        c.release();
      }
    },
    'one INSERT … unnest': async (batch) => {
      await pool.query('INSERT INTO "DocUpdate" ("debateId", "data") SELECT * FROM unnest($1::text[], $2::bytea[])', [
        batch.map((u) => u.debateId),
        batch.map((u) => u.data),
      ]);
    },
    'SELECT 1': async () => {
      await pool.query('SELECT 1');
    },
  };
  const pct = (xs, q) => xs[Math.min(xs.length - 1, Math.floor(q * xs.length))];
  for (const size of [1, 20]) {
    const batch = batchOf(size);
    const samples = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
    for (const fn of Object.values(variants)) for (let i = 0; i < 20; i++) await fn(batch);
    for (let i = 0; i < N; i++)
      for (const [k, fn] of Object.entries(variants)) {
        const t = performance.now();
        await fn(batch);
        samples[k].push(performance.now() - t);
      }
    console.log(`\nbatch of ${size} update(s), ${N} commits per variant:`);
    for (const [k, xs] of Object.entries(samples)) {
      xs.sort((a, b) => a - b);
      console.log(`  ${k.padEnd(28)} p50 ${pct(xs, 0.5).toFixed(2).padStart(6)}  p99 ${pct(xs, 0.99).toFixed(2).padStart(6)}`);
    }
  }
} finally {
  await pool.end();
  await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
}
