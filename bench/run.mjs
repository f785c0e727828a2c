/*
 * Sync-server scale benchmarks ([scale] 1, 2, 3, 5): Crux's server against @y/websocket-server
 * 0.1.1 (in memory) and Hocuspocus 3.4.4 (+ its database extension on the same Postgres),
 * measured in the same run so the ratios hold on any machine.
 *
 *   node bench/run.mjs                       every suite, 3 alternating rounds (12 min on 2 busy cores)
 *   node bench/run.mjs --long                5 rounds, 20 s windows, more join-storm trials
 *   node bench/run.mjs --suites fanout --servers crux-pg,yws --rounds 1
 *   node bench/run.mjs --suites fanout --rounds 5 --updates 300   longer windows: p99 over 300 updates, not 100
 *   (the run stops itself after 15 min, 60 with --long, scaled up with --rounds and --updates; --budget <min>)
 *   node bench/run.mjs --cpu-prof …          also CPU-profile the server in every measuring window
 *   node bench/run.mjs --report bench/out/results-….json …  re-print (and merge) earlier runs' tables
 *
 * Suites: memory (RSS per idle connection and per loaded 10,000-claim room), fanout (1 writer →
 * 100 and 500 readers at 10 updates/s), writers (200 writers in one room), joinstorm (100 clients
 * open a 10,000-claim debate at once, cold and warm).
 * Servers: crux-pg (ours on Postgres), crux-pglite (ours on embedded PGlite), yws
 * (@y/websocket-server), hocuspocus, and two that are not products: crux-pg-early, Crux on
 * Postgres relaying each update before its commit instead of after (the commit still runs, in
 * the background). It breaks "durable before relay" and exists only to measure what that
 * guarantee costs; crux-pg-spin, durable before relay but with the event loop spinning while a
 * commit is in flight (what the server's own wake-up costs). Both run only when named in
 * --servers, and no goal is judged on them.
 *
 * Each server runs in its own process pinned to core 0 (`taskset -c 0`), the load generator
 * (bench/load.ts) in another pinned to core 1; Postgres floats. Every round starts each server
 * fresh, in a rotating order, and runs every suite against it; tables show the median over rounds
 * and the min–max spread, and ratios ours / reference both of medians and per round (paired: same
 * round, same background load). The Postgres database is created for the run
 * (crux_bench_<random> on BENCH_PG_URL, default postgres://postgres@127.0.0.1:5432/postgres) and
 * dropped at the end. Results also go to bench/out/results-<time>.json.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const BENCH = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(BENCH, '..');
const OUT = path.join(BENCH, 'out');

// ---------------------------------------------------------------------------------------------
// Options

const argv = process.argv.slice(2);
const flag = (name) => argv.includes(`--${name}`);
const opt = (name, def) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : def;
};
if (flag('help')) {
  console.log(readFileSync(fileURLToPath(import.meta.url), 'utf8').split('*/')[0]);
  process.exit(0);
}
const LONG = flag('long');
const PROFILE = flag('cpu-prof');
const ALL_SERVERS = ['crux-pg', 'crux-pglite', 'yws', 'hocuspocus', 'crux-pg-early', 'crux-pg-spin'];
/** Ours, but not the product: run only when named, compared with the references, never judged against a goal. */
const WHAT_IF = ['crux-pg-early', 'crux-pg-spin'];
const ALL_SUITES = ['memory', 'fanout', 'writers', 'joinstorm'];
const servers = opt('servers', ALL_SERVERS.filter((s) => !WHAT_IF.includes(s)).join(',')).split(',');
const suites = opt('suites', ALL_SUITES.join(',')).split(',');
for (const s of servers) if (!ALL_SERVERS.includes(s)) throw new Error(`unknown server ${s}`);
for (const s of suites) if (!ALL_SUITES.includes(s)) throw new Error(`unknown suite ${s}`);
const ROUNDS = Number(opt('rounds', LONG ? 5 : 3));
const P = {
  readers: opt('readers', '100,500').split(',').map(Number),
  rate: 10,
  warmup: 10,
  measured: Number(opt('updates', LONG ? 200 : 100)),
  writers: Number(opt('writers', 200)),
  writerRate: Number(opt('writer-rate', 0.5)),
  writersSec: LONG ? 20 : 8,
  stormClients: 100,
  stormTrials: LONG ? 2 : 1,
  idle: 500,
};
/**
 * Which servers each suite runs against, in how many of the rounds. The default run aims at
 * ~10 minutes (12 on 2 busy cores): the fan-out (the headline) and the writers get every reference and
 * Crux on Postgres in every round; a join storm of the 10,000-claim debate costs tens of seconds
 * of server CPU per trial, so it and the memory census run once; the PGlite variant runs the
 * fan-out and the census once. --long runs everything everywhere, in every round (storm: 3).
 */
const every = (rounds) => Object.fromEntries(ALL_SERVERS.map((s) => [s, rounds]));
const PLAN = LONG
  ? { memory: every(ROUNDS), fanout: every(ROUNDS), writers: every(ROUNDS), joinstorm: every(Math.min(3, ROUNDS)) }
  : {
      memory: every(1),
      fanout: { ...every(ROUNDS), 'crux-pglite': 1 },
      writers: { 'crux-pg': ROUNDS, yws: ROUNDS, hocuspocus: ROUNDS },
      joinstorm: { 'crux-pg': 1, yws: 1, hocuspocus: 1 },
    };
/**
 * Join-storm states per server: @y/websocket-server keeps documents only in memory (warm only);
 * the default run skips Hocuspocus's warm storm (Crux's warm storm is compared with
 * @y/websocket-server's).
 */
const STORM_MODES = {
  'crux-pg': ['cold', 'warm'],
  'crux-pglite': ['cold', 'warm'],
  'crux-pg-early': ['cold', 'warm'],
  'crux-pg-spin': ['cold', 'warm'],
  yws: ['warm'],
  hocuspocus: LONG ? ['cold', 'warm'] : ['cold'],
};
const explicitServers = argv.includes('--servers');
/** The suites to run against `server` in `round`, in order. With --servers, every suite runs against every named server. */
const suitesFor = (server, round) => suites.filter((s) => round <= (PLAN[s][server] ?? (explicitServers ? ROUNDS : 0)));

const PG_ADMIN = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
/** The whole run's time limit: 15 min (--long: 60), longer in proportion to more rounds or updates; --budget <min> sets it. */
const BUDGET_MS =
  Number(opt('budget', (LONG ? 60 : 15) * Math.max(1, ROUNDS / (LONG ? 5 : 3)) * Math.max(1, P.measured / (LONG ? 200 : 100)))) * 60_000;

const LABEL = {
  'crux-pg': 'Crux (Postgres)',
  'crux-pglite': 'Crux (PGlite)',
  'crux-pg-early': 'Crux, relay before commit (not durable; what-if)',
  'crux-pg-spin': 'Crux, event loop spinning during commits (what-if)',
  yws: '@y/websocket-server 0.1.1',
  hocuspocus: 'Hocuspocus 3.4.4 + Postgres',
};
const OURS = ['crux-pg', 'crux-pglite', ...WHAT_IF];
const REFS = ['yws', 'hocuspocus'];
const GOALS = { fanout: { yws: 0.8, hocuspocus: 1.0 } };

// ---------------------------------------------------------------------------------------------
// Processes

const children = new Set();
const say = (m) => console.log(m);
const tag = (name, stream) => {
  let buf = '';
  stream.on('data', (d) => {
    buf += d;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (line.trim()) process.stderr.write(`  [${name}] ${line}\n`);
    }
  });
};

function pinned(core, args, name, env = {}) {
  const child = spawn('taskset', ['-c', String(core), process.execPath, ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env: { ...process.env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1', ...env },
  });
  children.add(child);
  child.on('exit', () => children.delete(child));
  tag(name, child.stdout);
  tag(name, child.stderr);
  return child;
}

class ServerProcess {
  constructor(kind, dbUrl) {
    this.kind = kind;
    const args = {
      'crux-pg': ['--expose-gc', '--import', 'tsx', 'bench/crux-server.ts', dbUrl],
      'crux-pglite': ['--expose-gc', '--import', 'tsx', 'bench/crux-server.ts', 'pglite'],
      'crux-pg-early': ['--expose-gc', '--import', 'tsx', 'bench/crux-server.ts', dbUrl, '--relay-before-commit'],
      'crux-pg-spin': ['--expose-gc', '--import', 'tsx', 'bench/crux-server.ts', dbUrl, '--spin-while-committing'],
      yws: ['--expose-gc', 'bench/ref/yws-server.mjs'],
      hocuspocus: ['--expose-gc', 'bench/ref/hocuspocus-server.mjs', dbUrl],
    }[kind];
    // --cpu-prof: V8 writes the server's profile when it exits (bench/prof-top.mjs summarises it).
    // --cpu-prof: the probe profiles each measuring window (bench/prof-top.mjs summarises them).
    this.child = pinned(0, args, kind, PROFILE ? { BENCH_PROFILE_DIR: path.join(OUT, 'prof'), BENCH_SERVER_NAME: kind } : {});
    this.nextId = 1;
    this.pending = new Map();
    this.ready = new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`${kind} did not start in 90 s`)), 90_000);
      this.child.on('message', (m) => {
        if (m.ready) {
          clearTimeout(t);
          resolve(m);
          return;
        }
        const p = this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id);
        if (m.ok) p.resolve(m.result);
        else p.reject(new Error(`${kind}: ${m.error}`));
      });
      this.child.on('exit', (code) => {
        clearTimeout(t);
        reject(new Error(`${kind} exited with ${code}`));
        for (const p of this.pending.values()) p.reject(new Error(`${kind} exited with ${code}`));
        this.pending.clear();
      });
    });
    this.ready.catch(() => undefined);
  }

  request(cmd, args = {}) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      // With a callback, a child that is already gone rejects this request instead of throwing.
      this.child.send({ id, cmd, ...args }, (err) => {
        if (!err) return;
        this.pending.delete(id);
        reject(err);
      });
    });
  }

  async stop() {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.request('stop').catch(() => undefined);
    const t = setTimeout(() => this.child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(t);
  }
}

/** Runs one job in a fresh load-generator process on core 1, relaying its probe requests to the server. */
function runLoad(server, job, timeoutMs = 240_000) {
  return new Promise((resolve, reject) => {
    const child = pinned(1, ['--import', 'tsx', 'bench/load.ts', JSON.stringify(job)], `load ${job.suite}`);
    const t = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`load ${job.suite} timed out after ${timeoutMs / 1000} s`));
    }, timeoutMs);
    let settled = false;
    child.on('message', (m) => {
      if (m.server) {
        const { cmd, ...args } = m.server;
        server.request(cmd, args).then(
          (result) => child.connected && child.send({ id: m.id, ok: true, result }),
          (e) => child.connected && child.send({ id: m.id, ok: false, error: e.message }),
        );
        return;
      }
      settled = true;
      clearTimeout(t);
      if (m.error) reject(new Error(`load ${job.suite}: ${m.error}`));
      else resolve(m.result);
    });
    child.on('exit', (code) => {
      clearTimeout(t);
      if (!settled) reject(new Error(`load ${job.suite} exited with ${code}`));
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Database

let dbName;
const dbUrl = () => {
  const u = new URL(PG_ADMIN);
  u.pathname = `/${dbName}`;
  return u.toString();
};
async function admin(sql) {
  const c = new pg.Client({ connectionString: PG_ADMIN });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}
async function createDb() {
  dbName = `crux_bench_${Math.random().toString(36).slice(2, 10)}`;
  await admin(`CREATE DATABASE "${dbName}"`);
}
async function dropDb() {
  if (!dbName) return;
  const name = dbName;
  dbName = undefined;
  // Only ever the database this run created.
  await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
}

let cleaning;
function cleanup() {
  return (cleaning ??= (async () => {
    for (const c of children) c.kill('SIGKILL');
    await dropDb().catch((e) => console.error(`could not drop ${dbName}: ${e.message}`));
  })());
}
for (const sig of ['SIGINT', 'SIGTERM'])
  process.on(sig, () => {
    console.error(`\n${sig}: stopping`);
    cleanup().then(() => process.exit(130));
  });

// ---------------------------------------------------------------------------------------------
// Statistics and tables

const median = (xs) => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const fmt = (x, digits = 1) => (Number.isFinite(x) ? (Math.abs(x) >= 100 ? x.toFixed(0) : x.toFixed(digits)) : '–');
/** "median [min–max]" over rounds. */
function cell(values, digits = 1) {
  const v = values.filter((x) => Number.isFinite(x));
  if (v.length === 0) return '–';
  if (v.length === 1) return fmt(v[0], digits);
  return `${fmt(median(v), digits)} [${fmt(Math.min(...v), digits)}–${fmt(Math.max(...v), digits)}]`;
}

/** The group commit's own latency (Crux only: what "durable before relay" adds), medians over runs. */
function commitCell(stats) {
  const s = stats.filter((x) => x && x.commits !== undefined);
  if (s.length === 0) return '–';
  return `${fmt(median(s.map((x) => x.commitP50)))} / ${fmt(median(s.map((x) => x.commitP99)))}`;
}

function table(title, header, rows) {
  const lines = [`\n#### ${title}\n`, `| ${header.join(' | ')} |`, `|${header.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`];
  for (const r of rows) lines.push(`| ${r.join(' | ')} |`);
  return lines.join('\n');
}

/** Ratios ours / reference for one metric: of the medians, and per round (same round = same background). */
function ratios(results, key, metric, goals = {}) {
  const lines = [];
  const get = (v) => (metric in v ? v[metric] : v.server?.[metric]);
  for (const ours of OURS) {
    const a = results[key]?.[ours];
    if (!a) continue;
    for (const ref of REFS) {
      const b = results[key]?.[ref];
      if (!b) continue;
      const ma = median(a.map((r) => get(r.value)));
      const mb = median(b.map((r) => get(r.value)));
      const paired = [];
      for (const ra of a) {
        const rb = b.find((x) => x.round === ra.round);
        if (rb) paired.push(get(ra.value) / get(rb.value));
      }
      const goal = goals[ref];
      const verdict =
        goal === undefined
          ? ''
          : WHAT_IF.includes(ours)
            ? ` — not judged (goal for the product ≤ ${goal})`
            : ma / mb <= goal
              ? ` — goal ≤ ${goal}: met`
              : ` — goal ≤ ${goal}: NOT met`;
      lines.push(
        `- ${LABEL[ours]} / ${LABEL[ref]}, ${metric}: **${fmt(ma / mb, 2)}** (per round ${paired.map((x) => fmt(x, 2)).join(', ')})${verdict}`,
      );
    }
  }
  return lines.join('\n');
}

function report(results, meta) {
  const out = [];
  const pick = (key, server, f) => (results[key]?.[server] ?? []).map((r) => f(r.value));
  const serversIn = (key) => servers.filter((s) => results[key]?.[s]);
  const kb = (b) => b / 1024;
  const mb = (b) => b / 1024 / 1024;
  out.push(`Node ${process.version}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), ${meta.mode} durations.`);
  out.push('Cells: median over the runs [min–max]; "runs" = how many alternating rounds each server got in that suite.');
  const runs = (key) => Math.max(...Object.values(results[key] ?? {}).map((a) => a.length), 0);

  if (results.memory) {
    const key = 'memory';
    const rows = serversIn(key).map((s) => [
      LABEL[s],
      cell(pick(key, s, (v) => kb(v.rssPerConnection))),
      cell(pick(key, s, (v) => kb(v.heapPerConnection))),
      cell(pick(key, s, (v) => mb(v.rssPerRoom))),
      cell(pick(key, s, (v) => mb(v.heapPerRoom))),
      cell(pick(key, s, (v) => mb(v.baseline.rss))),
    ]);
    out.push(
      table(
        `Memory: ${P.idle} idle connections in one room; one loaded 10,000-claim room (runs: ${runs(key)})`,
        [
          'server',
          'RSS KB / idle conn',
          'heap+ext KB / idle conn',
          'RSS MB / 10k room',
          'heap+ext MB / 10k room',
          'RSS MB at the start (10 connections)',
        ],
        rows,
      ),
    );
  }
  for (const n of P.readers) {
    const key = `fanout${n}`;
    if (!results[key]) continue;
    const rows = serversIn(key).map((s) => [
      LABEL[s],
      cell(pick(key, s, (v) => v.p50)),
      cell(pick(key, s, (v) => v.p95)),
      cell(pick(key, s, (v) => v.p99)),
      cell(pick(key, s, (v) => v.max)),
      cell(
        pick(key, s, (v) => v.undelivered),
        0,
      ),
      cell(pick(key, s, (v) => v.server.eldP99)),
      cell(
        pick(key, s, (v) => v.cpuUsPerUpdatePerReader),
        2,
      ),
      `${cell(
        pick(key, s, (v) => kb(v.rssPerConnection)),
        0,
      )} / ${cell(
        pick(key, s, (v) => kb(v.heapPerConnection)),
        0,
      )}`,
      commitCell(pick(key, s, (v) => v.server)),
      cell(pick(key, s, (v) => v.loadLoop.p99)),
    ]);
    out.push(
      table(
        `Fan-out: 1 writer → ${n} readers, ${P.measured} updates at ${P.rate}/s (propagation ms; runs: ${runs(key)})`,
        [
          'server',
          'p50',
          'p95',
          'p99',
          'max',
          'undelivered',
          'server ELD p99 ms',
          'server CPU µs / update / reader (net of idle)',
          'RSS / heap+ext KB per conn',
          'Crux commit p50 / p99 ms',
          'load-gen ELD p99 ms',
        ],
        rows,
      ),
    );
    out.push('\n' + ratios(results, key, 'p99', GOALS.fanout) + '\n' + ratios(results, key, 'p50'));
  }
  if (results.writers) {
    const key = 'writers';
    const rows = serversIn(key).map((s) => [
      LABEL[s],
      cell(pick(key, s, (v) => v.p50)),
      cell(pick(key, s, (v) => v.p95)),
      cell(pick(key, s, (v) => v.p99)),
      cell(pick(key, s, (v) => v.max)),
      cell(
        pick(key, s, (v) => v.undelivered),
        0,
      ),
      cell(pick(key, s, (v) => v.server.eldP99)),
      cell(pick(key, s, (v) => v.server.eldMax)),
      cell(
        pick(key, s, (v) => (v.server.cpuUserUs + v.server.cpuSystemUs) / v.server.wallMs / 10),
        0,
      ),
      commitCell(pick(key, s, (v) => v.server)),
      cell(pick(key, s, (v) => v.loadLoop.p99)),
    ]);
    out.push(
      table(
        `Writers: ${P.writers} clients in one room, each moving its own claim ${P.writerRate}×/s (${P.writers * P.writerRate} updates/s, each to ${P.writers - 1} others), ${P.writersSec} s window (runs: ${runs(key)})`,
        [
          'server',
          'p50 ms',
          'p95 ms',
          'p99 ms',
          'max ms',
          'undelivered',
          'server ELD p99 ms',
          'server ELD max ms',
          'server CPU %',
          'Crux commit p50 / p99 ms',
          'load-gen ELD p99 ms',
        ],
        rows,
      ),
    );
    out.push('\n' + ratios(results, key, 'p99') + '\n' + ratios(results, key, 'eldP99'));
    out.push(ratios(results, key, 'p50'));
  }
  if (results.joinstorm) {
    const key = 'joinstorm';
    const rows = [];
    for (const s of serversIn(key))
      for (const mode of ['cold', 'warm']) {
        const vs = pick(key, s, (v) => v[mode]).filter(Boolean);
        if (vs.length === 0) continue;
        const trials = vs.flatMap((v) => v.server);
        rows.push([
          `${LABEL[s]}, ${mode}`,
          cell(
            vs.map((v) => v.p50),
            0,
          ),
          cell(
            vs.map((v) => v.p99),
            0,
          ),
          cell(
            vs.map((v) => v.max),
            0,
          ),
          cell(
            trials.map((t) => t.cpuMs / 1000),
            1,
          ),
          cell(
            trials.map((t) => t.eldMax / 1000),
            1,
          ),
        ]);
      }
    out.push(
      table(
        `Join storm: ${P.stormClients} clients open a 10,000-claim debate at once (time to synced, ms; runs: ${runs(key)} × ${P.stormTrials} trial(s) per state)`,
        ['server, state', 'p50', 'p99', 'max', 'server CPU s', 'server longest stall s'],
        rows,
      ),
    );
    const lines = [];
    for (const s of serversIn(key)) {
      const cold = median(pick(key, s, (v) => v.cold?.p99));
      const warm = median(pick(key, s, (v) => v.warm?.p99));
      if (Number.isFinite(cold) && Number.isFinite(warm))
        lines.push(
          `- ${LABEL[s]}: cold p99 / warm p99 = **${fmt(cold / warm, 2)}**${OURS.includes(s) && !WHAT_IF.includes(s) ? (cold / warm <= 1.5 ? ' — goal ≤ 1.5: met' : ' — goal ≤ 1.5: NOT met') : ''}`,
        );
    }
    for (const ours of OURS)
      for (const ref of REFS)
        for (const mode of ['cold', 'warm']) {
          const a = median(pick(key, ours, (v) => v[mode]?.p99));
          const b = median(pick(key, ref, (v) => v[mode]?.p99));
          if (Number.isFinite(a) && Number.isFinite(b)) lines.push(`- ${LABEL[ours]} / ${LABEL[ref]}, ${mode} p99: **${fmt(a / b, 2)}**`);
        }
    out.push('\n' + lines.join('\n'));
  }
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------------
// The run

async function suiteJobs(server, kind, target, round, docFile, claims, todo) {
  const id = (s) => `bench-r${round}-${s}-${Math.random().toString(36).slice(2, 8)}`;
  const push = kind === 'yws';
  const prepare = async (room, snapshot) => server.request('prepare', { room, ...(snapshot && !push ? { snapshotFile: docFile } : {}) });
  const out = {};
  const done = (label, t0) => say(`  ${kind} ${label}: ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  for (const suite of todo) {
    const t0 = Date.now();
    try {
      await runSuite(suite);
      done(suite, t0);
    } catch (e) {
      // One suite failing (a timeout on a busy machine) must not cost the rest of the run.
      say(`  ${kind} ${suite} FAILED after ${((Date.now() - t0) / 1000).toFixed(0)} s: ${e.message.split('\n')[0]}`);
      out.failures = [...(out.failures ?? []), `${suite}: ${e.message.split('\n')[0]}`];
    }
  }
  return out;

  async function runSuite(suite) {
    if (suite === 'memory') {
      const room = id('idle');
      const bigRoom = id('mem10k');
      await prepare(room);
      await prepare(bigRoom, true);
      out.memory = await runLoad(server, { suite, target, room, bigRoom, idle: P.idle, docFile, push });
    } else if (suite === 'fanout') {
      for (const readers of P.readers) {
        const room = id(`fan${readers}`);
        await prepare(room);
        out[`fanout${readers}`] = await runLoad(server, {
          suite,
          target,
          room,
          readers,
          rate: P.rate,
          warmup: P.warmup,
          measured: P.measured,
          graceMs: 3000,
          idleMs: 1000,
        });
      }
    } else if (suite === 'writers') {
      const room = id('writers');
      await prepare(room);
      out.writers = await runLoad(server, {
        suite,
        target,
        room,
        writers: P.writers,
        rate: P.writerRate,
        warmupSec: 2,
        measureSec: P.writersSec,
        graceMs: 3000,
      });
    } else if (suite === 'joinstorm') {
      const room = id('storm');
      await prepare(room, true);
      out.joinstorm = await runLoad(
        server,
        {
          suite,
          target,
          room,
          clients: P.stormClients,
          trials: P.stormTrials,
          modes: STORM_MODES[kind],
          push,
          docFile,
          claims,
          deadlineMs: 150_000,
        },
        900_000,
      );
    }
  }
}

async function main() {
  const at = argv.indexOf('--report');
  if (at >= 0) {
    // Re-print the tables of earlier runs (their parameters, not today's flags). Several files
    // are merged, their rounds renumbered, when they ran with the same parameters.
    const files = [];
    for (let i = at + 1; i < argv.length && !argv[i].startsWith('--'); i++) files.push(argv[i]);
    const merged = {};
    let meta;
    let offset = 0;
    for (const f of files) {
      const run = JSON.parse(readFileSync(f, 'utf8'));
      if (meta && JSON.stringify(run.meta.params) !== JSON.stringify(meta.params)) throw new Error(`${f} ran with other parameters`);
      meta ??= { ...run.meta, failures: [] };
      meta.failures.push(...(run.meta.failures ?? []));
      let last = 0;
      for (const [key, byServer] of Object.entries(run.results))
        for (const [server, rows] of Object.entries(byServer))
          for (const r of rows) {
            ((merged[key] ??= {})[server] ??= []).push({ ...r, round: r.round + offset });
            last = Math.max(last, r.round);
          }
      offset += last;
    }
    Object.assign(P, meta.params);
    servers.splice(0, servers.length, ...meta.servers);
    say(report(merged, meta));
    if (meta.failures.length) say(`\nFailures (excluded from the tables):\n${meta.failures.map((f) => `- ${f}`).join('\n')}`);
    return;
  }
  const watchdog = setTimeout(() => {
    console.error(`\nthe run exceeded its ${BUDGET_MS / 60_000} min budget: stopping`);
    cleanup().then(() => process.exit(2));
  }, BUDGET_MS);
  watchdog.unref();
  if (!existsSync(path.join(BENCH, 'ref', 'node_modules', '@hocuspocus', 'server'))) {
    console.error('reference servers missing: run `npm ci --prefix bench/ref` first');
    process.exit(1);
  }
  mkdirSync(OUT, { recursive: true });
  const docFile = path.join(OUT, 'debate-10k.bin');
  let docInfo;
  if (suites.includes('joinstorm') || suites.includes('memory')) {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'bench/make-doc.ts', docFile], { cwd: ROOT, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`make-doc failed: ${r.stderr}`);
    docInfo = JSON.parse(r.stdout.trim().split('\n').pop());
    say(
      `10,000-claim debate: ${docInfo.claims} claims, ${docInfo.relations} relations, ${(docInfo.bytes / 1024 / 1024).toFixed(2)} MB as one update`,
    );
  }
  const needsPg = servers.some((s) => s.startsWith('crux-pg') || s === 'hocuspocus');
  if (needsPg) {
    await createDb();
    say(`database ${dbName} created`);
  }
  const started = Date.now();
  const results = {};
  const failures = [];
  const git = spawnSync('git', ['log', '-1', '--format=%h %s'], { cwd: ROOT, encoding: 'utf8' }).stdout.trim();
  // Uncommitted changes anywhere but bench/out (the schema and bench/crux-server.ts change what
  // is measured as much as server/ does).
  const changed = spawnSync('git', ['status', '--porcelain', '--', '.', ':!bench/out'], { cwd: ROOT, encoding: 'utf8' })
    .stdout.split('\n')
    .filter(Boolean);
  const dirty = changed.length;
  say(
    `commit ${git}${dirty ? ` (+ ${dirty} uncommitted changes: ${changed.map((l) => l.slice(3)).join(', ')})` : ''}; load average ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      const order = servers.map((_, i) => servers[(i + round - 1) % servers.length]);
      for (const kind of order) {
        const todo = suitesFor(kind, round);
        if (todo.length === 0) continue;
        const t0 = Date.now();
        const server = new ServerProcess(kind, needsPg ? dbUrl() : undefined);
        const info = await server.ready;
        const target = { port: info.port, pathPrefix: info.pathPrefix, protocol: info.protocol };
        try {
          const out = await suiteJobs(server, kind, target, round, docFile, docInfo?.claims, todo);
          for (const [key, value] of Object.entries(out)) {
            if (key === 'failures') failures.push(...value.map((f) => `round ${round} ${kind} ${f}`));
            else ((results[key] ??= {})[kind] ??= []).push({ round, value });
          }
          const f = out.fanout100 ?? out[`fanout${P.readers[0]}`];
          say(
            `round ${round}/${ROUNDS} ${kind}: ${((Date.now() - t0) / 1000).toFixed(0)} s` +
              (f ? `; fan-out ${P.readers[0]} p50/p99 ${fmt(f.p50)}/${fmt(f.p99)} ms` : '') +
              (out.joinstorm?.cold ? `; storm cold/warm p99 ${fmt(out.joinstorm.cold.p99, 0)}/${fmt(out.joinstorm.warm?.p99, 0)} ms` : ''),
          );
        } finally {
          await server.stop();
        }
      }
    }
  } finally {
    await cleanup();
  }
  const meta = {
    failures,
    plan: PLAN,
    rounds: ROUNDS,
    mode: LONG ? 'long' : 'short',
    seconds: (Date.now() - started) / 1000,
    params: P,
    servers,
    suites,
    argv,
    // Where and on what it ran: a ratio means little without them.
    commit: git,
    uncommitted: changed,
    machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}`,
    startedAt: new Date(started).toISOString(),
  };
  const file = path.join(OUT, `results-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify({ meta, results }, null, 1));
  say(`\n${report(results, meta)}`);
  if (failures.length > 0) say(`\nFailures (excluded from the tables):\n${failures.map((f) => `- ${f}`).join('\n')}`);
  say(`\n${((Date.now() - started) / 1000).toFixed(0)} s; raw results in ${path.relative(ROOT, file)}`);
}

main().catch(async (e) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  await cleanup();
  process.exit(1);
});
