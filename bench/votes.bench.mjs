/*
 * Vote throughput ([scale] issue #8, item 4): PUT /api/debates/[id]/votes through Crux (its route
 * handler, session, access check, phase gate, target check, upsert, tally and live event) driven
 * by autocannon, against a raw SQL upsert loop (node-postgres, one statement per vote) on the same
 * Postgres, the same "Vote" table, the same concurrency and the same sequence of votes.
 * Goal: Crux / raw ≥ 0.5.
 *
 *   npm ci --prefix bench/ref                  # autocannon (not an app dependency)
 *   node bench/votes.bench.mjs                 # 3 rounds of 8 s each side, 32 connections
 *   node bench/votes.bench.mjs --rounds 5 --duration 10 --connections 64 --users 800
 *   node bench/votes.bench.mjs --cpu-prof …    # also CPU-profile the Crux server → bench/out/prof/
 *   node bench/votes.bench.mjs --sides crux --cpu-prof   # only some sides (crux, service, raw): a profile of one
 *
 * Vote i is cast by user i mod U on claim ⌊i / U⌋ mod K with value i mod 5, on both sides.
 * Voters are guests (POST /api/account/guest), each from its own address, because every person's
 * writes are rate limited (server/access/rateLimit.ts HTTP_WRITES: a burst of 120, then 2 per s):
 * the bench needs enough people that no vote is refused; it checks that none was (429 or any
 * other non-2xx fails the run) rather than relaxing the limiter.
 *
 * The Crux server runs in its own process; with --pin it is pinned to core 0 (`taskset -c 0`) and
 * this process (the load generator for both sides) to core 1. Without it (every run recorded in
 * bench/RESULTS.md), nothing is pinned. Postgres always floats. The two sides alternate within each
 * round (the order flips every round); the table shows medians and min–max over rounds, the ratio
 * of medians and the per-round ratios. The database crux_bench_votes_<random> is created on
 * BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432/postgres) and dropped at the end.
 * Results also go to bench/out/votes-<time>.json.
 *
 * A third row splits the cost: the same HTTP front calling the vote service (castVote: phase
 * gate, target check, upsert, tally, live event) without the session and access check.
 *
 * The Crux side is the path `npm start` serves: the server answers PUT /votes itself, before
 * Next (server/http/fast.ts), with the same handler and checks as the Next route file.
 */
/* global fetch -- Node's own, as in the browser */
import { spawn, spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { createRequire } from 'node:module';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import pg from 'pg';

const BENCH = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(BENCH, '..');
const autocannon = createRequire(path.join(BENCH, 'ref', 'package.json'))('autocannon');

const argv = process.argv.slice(2);
const opt = (name, def) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? Number(argv[i + 1]) : def;
};
const P = {
  rounds: opt('rounds', 3),
  duration: opt('duration', 8),
  warmup: opt('warmup', 3),
  connections: opt('connections', 32),
  users: opt('users', 1000),
  claims: opt('claims', 100),
};

const hasTaskset = argv.includes('--pin') && spawnSync('taskset', ['-V']).status === 0;
if (hasTaskset) spawnSync('taskset', ['-a', '-cp', '1', String(process.pid)], { stdio: 'ignore' });

const machine = `Node ${process.version}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), load average ${os
  .loadavg()
  .map((x) => x.toFixed(2))
  .join(' ')} at the start`;

const adminUrl = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const dbName = `crux_bench_votes_${randomUUID().slice(0, 8)}`;
const dbUrl = (() => {
  const u = new URL(adminUrl);
  u.pathname = `/${dbName}`;
  return u.toString();
})();

async function admin(sql) {
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

let child;
async function startCrux() {
  const prof = argv.includes('--cpu-prof') ? ['--cpu-prof', `--cpu-prof-dir=${path.join(BENCH, 'out', 'prof')}`] : [];
  const args = [...prof, '--import', 'tsx', path.join(BENCH, 'votes.bench.server.ts'), dbUrl, String(P.claims)];
  child = hasTaskset
    ? spawn('taskset', ['-c', '0', process.execPath, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] })
    : spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('READY '));
      if (line) resolve(JSON.parse(line.slice('READY '.length)));
    });
    child.once('exit', (code) => reject(new Error(`the Crux server exited with ${code}`)));
  });
}

/** U guests, each from its own address: their ids and session cookies. */
async function joinGuests(base, n) {
  const users = [];
  const one = async (i) => {
    const res = await fetch(`${base}/api/account/guest`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        origin: base,
        'x-forwarded-for': `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
      },
      body: JSON.stringify({ name: `Voter ${i}` }),
    });
    if (res.status !== 201) throw new Error(`guest ${i}: ${res.status} ${await res.text()}`);
    const cookie = res.headers
      .getSetCookie()
      .find((c) => /^(__Secure-)?crux\.session_token=/.test(c))
      .split(';')[0];
    users[i] = { id: (await res.json()).user.id, cookie };
  };
  for (let i = 0; i < n; i += 16) await Promise.all(Array.from({ length: Math.min(16, n - i) }, (_, k) => one(i + k)));
  return users;
}

const voteOf = (i, users, claims) => ({
  user: users[i % users.length],
  claimId: claims[Math.floor(i / users.length) % claims.length],
  value: i % 5,
});

/** autocannon against PUT /votes; `start` continues the vote sequence where the last run stopped. */
function runCrux(base, debateId, users, claims, seconds, start, servicePath) {
  let i = start;
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: base,
        connections: P.connections,
        duration: seconds,
        requests: [
          {
            method: 'PUT',
            path: servicePath ?? `/api/debates/${debateId}/votes`,
            setupRequest: (req) => {
              const v = voteOf(i++, users, claims);
              return {
                ...req,
                headers: { 'content-type': 'application/json', origin: base, cookie: v.user.cookie, 'x-bench-user': v.user.id },
                body: JSON.stringify({ targetKind: 'claim', targetId: v.claimId, value: v.value }),
              };
            },
          },
        ],
      },
      (err, r) => {
        if (err) return reject(err);
        resolve({
          next: i,
          ok: r['2xx'],
          other: r.non2xx + r.errors + r.timeouts,
          perSec: r['2xx'] / seconds,
          p50: r.latency.p50,
          p99: r.latency.p99,
        });
      },
    );
  });
}

/** The statement Crux's vote service ran before phases: the plain upsert on the unique key. */
const UPSERT = `INSERT INTO "Vote" ("id", "debateId", "targetKind", "targetId", "userKey", "value")
  VALUES ($1, $2, 'claim', $3, $4, $5)
  ON CONFLICT ("debateId", "targetKind", "targetId", "userKey")
  DO UPDATE SET "value" = EXCLUDED."value", "updatedAt" = CURRENT_TIMESTAMP`;

async function runRaw(pool, debateId, users, claims, seconds, start) {
  let i = start;
  const lat = [];
  const end = performance.now() + seconds * 1000;
  let ok = 0;
  await Promise.all(
    Array.from({ length: P.connections }, async () => {
      while (performance.now() < end) {
        const v = voteOf(i++, users, claims);
        const t = performance.now();
        await pool.query(UPSERT, [randomUUID(), debateId, v.claimId, v.user.id, v.value]);
        lat.push(performance.now() - t);
        ok++;
      }
    }),
  );
  lat.sort((a, b) => a - b);
  const at = (q) => lat[Math.min(lat.length - 1, Math.floor(q * lat.length))];
  return { next: i, ok, other: 0, perSec: ok / seconds, p50: at(0.5), p99: at(0.99) };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmt = (x, d = 0) => x.toFixed(d);

let pool;
try {
  await admin(`CREATE DATABASE "${dbName}"`);
  const ready = await startCrux();
  const base = `http://127.0.0.1:${ready.port}`;
  const appBase = `http://127.0.0.1:${ready.appPort}`;
  pool = new pg.Pool({ connectionString: dbUrl, max: P.connections });
  const t0 = performance.now();
  const users = await joinGuests(base, P.users);
  const claims = ready.claimIds;
  console.log(`${P.users} guests joined in ${fmt((performance.now() - t0) / 1000, 1)} s; ${claims.length} claims`);
  const pgVersion = (await pool.query('SHOW server_version')).rows[0].server_version;
  const fsync = (await pool.query('SHOW synchronous_commit')).rows[0].synchronous_commit;

  // Warm-up: JIT on both sides, and every (user, claim) row the rounds will touch starts to exist.
  // Each side continues its own vote sequence, so all three walk the same (user, claim) rows.
  const next = { crux: 0, service: 0, raw: 0 };
  const run = (side, seconds) =>
    side === 'raw'
      ? runRaw(pool, ready.debateId, users, claims, seconds, next.raw)
      : side === 'service'
        ? runCrux(base, ready.debateId, users, claims, seconds, next[side], ready.servicePath)
        : runCrux(appBase, ready.debateId, users, claims, seconds, next[side]);
  const sidesArg = argv.indexOf('--sides');
  const SIDES = ['crux', 'service', 'raw'].filter((x) => sidesArg < 0 || (argv[sidesArg + 1] ?? '').split(',').includes(x));
  const has = (...xs) => xs.every((x) => SIDES.includes(x));
  for (const side of SIDES) next[side] = (await run(side, P.warmup)).next;

  const rounds = [];
  for (let r = 0; r < P.rounds; r++) {
    const row = {};
    for (const side of r % 2 ? [...SIDES].reverse() : SIDES) {
      const res = await run(side, P.duration);
      next[side] = res.next;
      if (res.other > 0) throw new Error(`round ${r + 1}: ${res.other} ${side} votes were not accepted (rate limit? add --users)`);
      row[side] = res;
    }
    rounds.push(row);
    console.log(
      `round ${r + 1}: ${SIDES.map((x) => `${x} ${fmt(row[x].perSec)}/s (p50 ${fmt(row[x].p50, 1)} ms)`).join(', ')}${has('crux', 'raw') ? `, ratio ${fmt(row.crux.perSec / row.raw.perSec, 3)}` : ''}`,
    );
  }

  const col = (side, key) => rounds.map((r) => r[side][key]);
  const line = (name, side) => {
    const per = col(side, 'perSec');
    return `| ${name} | ${fmt(median(per))} | ${fmt(Math.min(...per))}–${fmt(Math.max(...per))} | ${fmt(median(col(side, 'p50')), 1)} | ${fmt(median(col(side, 'p99')), 1)} |`;
  };
  const ratios = has('crux', 'raw') ? rounds.map((r) => r.crux.perSec / r.raw.perSec) : [];
  const ratio = has('crux', 'raw') ? median(col('crux', 'perSec')) / median(col('raw', 'perSec')) : null;
  console.log('');
  console.log(
    `Votes: ${P.connections} connections, ${P.users} voters, ${claims.length} claims, ${P.rounds} rounds × ${P.duration} s (PostgreSQL ${pgVersion}, synchronous_commit=${fsync})`,
  );
  // The ratio depends on the machine (the reference's rate differs between kinds of VM far more
  // than Crux's: bench/RESULTS.md): quote it with this line.
  console.log(`Machine: ${machine}`);
  console.log('');
  console.log('| side | votes/s (median) | min–max | p50 ms | p99 ms |');
  console.log('|---|---|---|---|---|');
  if (has('crux')) console.log(line('Crux PUT /votes (the server as `npm start` runs it)', 'crux'));
  if (has('service')) console.log(line('Crux vote service alone (HTTP → castVote, no session or access check)', 'service'));
  if (has('raw')) console.log(line('raw SQL upsert loop (reference)', 'raw'));
  console.log('');
  if (ratio !== null)
    console.log(`ratio Crux / raw: ${fmt(ratio, 3)} (median of medians); per round ${ratios.map((x) => fmt(x, 3)).join(', ')}; goal ≥ 0.5`);
  if (has('service', 'raw'))
    console.log(`ratio vote service alone / raw: ${fmt(median(col('service', 'perSec')) / median(col('raw', 'perSec')), 3)}`);
  const stored = (await pool.query('SELECT count(*)::int AS n FROM "Vote"')).rows[0].n;
  console.log(`rows in "Vote" at the end: ${stored} (≤ ${P.users} × ${claims.length})`);

  mkdirSync(path.join(BENCH, 'out'), { recursive: true });
  const file = path.join(BENCH, 'out', `votes-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify({ params: P, machine, pgVersion, synchronousCommit: fsync, rounds, ratio, ratios }, null, 2));
  console.log(`results: ${path.relative(ROOT, file)}`);
} finally {
  await pool?.end().catch(() => undefined);
  if (child && child.exitCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    if (child.exitCode === null) child.kill('SIGKILL');
  }
  await admin(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`).catch((e) => console.error('could not drop', dbName, e.message));
}
