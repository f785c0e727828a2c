/*
 * What one group commit costs on Postgres, and which part of it is the disk:
 * `node bench/commit-cost.mjs` (BENCH_PG_URL as for run.mjs; makes and drops its own database).
 * Run it pinned like the server: `taskset -c 0 node bench/commit-cost.mjs`.
 *
 *   INSERT (durable)         what SqlDocStore.append sends for a group commit: one multi-row
 *                            INSERT … RETURNING "id", atomic on its own, synchronous_commit on
 *   INSERT (no fsync wait)   the same statement with synchronous_commit off: the round trip and
 *                            the statement without waiting for the WAL flush
 *   SELECT 1                 the round trip alone
 *   fdatasync 8 kB (node)    the disk alone: write 8 kB to a file beside the repo and fdatasync
 *                            it (Postgres's wal_sync_method here is fdatasync)
 *
 * Each variant runs back to back ("hot": the cores and Postgres never sleep) and paced, one
 * every --gap ms (default 100: the fan-out's 10 updates/s, so every core idles in between). The
 * paced / hot ratios say how much of a commit in the fan-out is waking idle processes rather
 * than the disk. Variants alternate, so background load hits them alike. Batches of one 80-byte
 * update (the fan-out case). Medians and p99 in ms.
 *
 *   --reps N     hot samples per variant (default 1000); paced samples are a fifth of that
 *   --gap MS     pause between paced samples (default 100)
 */
import { randomUUID } from 'node:crypto';
import { closeSync, fdatasyncSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const argv = process.argv.slice(2);
const opt = (name, def) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? Number(argv[i + 1]) : def;
};
const HOT = opt('reps', 1000);
const PACED = Math.max(20, Math.round(HOT / 5));
const GAP = opt('gap', 100);

const ADMIN = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
// Beside the repository, on the file system a co-located Postgres would most likely use; made
// before the database, so that nothing is left behind if it cannot be.
const outDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'out');
mkdirSync(outDir, { recursive: true });
const scratch = mkdtempSync(path.join(outDir, 'fsync-'));
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
// The server's pool; a second one whose sessions do not wait for the WAL flush.
const pool = new pg.Pool({ connectionString: url.toString(), max: 4 });
const asyncPool = new pg.Pool({ connectionString: url.toString(), max: 4, options: '-c synchronous_commit=off' });
let fd;
try {
  fd = openSync(path.join(scratch, 'wal'), 'w');
  await pool.query(
    'CREATE TABLE "DocUpdate" ("id" BIGSERIAL PRIMARY KEY, "debateId" TEXT NOT NULL, "data" BYTEA NOT NULL, "commitId" UUID)',
  );
  // The product's indexes (prisma/migrations 0001 and 0007); no Debate row, so no foreign key.
  await pool.query('CREATE INDEX ON "DocUpdate" ("debateId", "id")');
  await pool.query('CREATE UNIQUE INDEX ON "DocUpdate" ("commitId")');
  // As SqlDocStore.insertRows sends a batch of one: the row carries its group commit's id.
  const insert = `INSERT INTO "DocUpdate" ("debateId", "data", "commitId") VALUES ($1, $2, $3::uuid) RETURNING "id"`;
  const data = Buffer.alloc(80, 7);
  const page = Buffer.alloc(8192, 1);
  const variants = {
    'INSERT (durable)': () => pool.query(insert, ['bench', data, randomUUID()]),
    'INSERT (no fsync wait)': () => asyncPool.query(insert, ['bench', data, randomUUID()]),
    'SELECT 1': () => pool.query('SELECT 1'),
    'fdatasync 8 kB (node)': async () => {
      writeSync(fd, page, 0, page.length, 0);
      fdatasyncSync(fd);
    },
  };
  const pct = (xs, q) => xs[Math.min(xs.length - 1, Math.floor(q * xs.length))];
  const measure = async (reps, gap) => {
    const samples = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
    for (const fn of Object.values(variants)) for (let i = 0; i < 20; i++) await fn();
    for (let i = 0; i < reps; i++)
      for (const [k, fn] of Object.entries(variants)) {
        if (gap) await new Promise((r) => setTimeout(r, gap));
        const t = performance.now();
        await fn();
        samples[k].push(performance.now() - t);
      }
    return Object.fromEntries(
      Object.entries(samples).map(([k, xs]) => {
        xs.sort((a, b) => a - b);
        return [k, { p50: pct(xs, 0.5), p99: pct(xs, 0.99) }];
      }),
    );
  };
  const [cpu] = os.cpus();
  console.log(
    `${os.cpus().length} × ${cpu?.model ?? '?'}, load average ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
  console.log(
    `hot: ${HOT} back to back per variant; paced: ${PACED}, one every ${GAP} ms (about ${Math.round((PACED * 4 * GAP) / 1000)} s)`,
  );
  const hot = await measure(HOT, 0);
  const paced = await measure(PACED, GAP);
  const f = (x) => x.toFixed(3).padStart(7);
  console.log(
    `\n${'ms'.padEnd(24)} ${'hot p50'.padStart(7)} ${'hot p99'.padStart(7)}  ${'paced p50'.padStart(9)} ${'paced p99'.padStart(9)}  paced/hot p50`,
  );
  for (const k of Object.keys(variants))
    console.log(
      `${k.padEnd(24)} ${f(hot[k].p50)} ${f(hot[k].p99)}  ${f(paced[k].p50).padStart(9)} ${f(paced[k].p99).padStart(9)}  ${(paced[k].p50 / hot[k].p50).toFixed(2).padStart(13)}`,
    );
  const d = (m, k) => m['INSERT (durable)'][k] - m['INSERT (no fsync wait)'][k];
  console.log(
    `\nwaiting for the WAL flush adds (durable − no fsync wait, p50): hot ${d(hot, 'p50').toFixed(3)} ms, paced ${d(paced, 'p50').toFixed(3)} ms`,
  );
} finally {
  if (fd !== undefined) closeSync(fd);
  rmSync(scratch, { recursive: true, force: true });
  await pool.end();
  await asyncPool.end();
  await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
}
