/*
 * Cross-instance propagation ([scale] 9): 1 writer on instance A → N readers on instance B
 * (through Redis), against the same writer and readers all on A, measured in the same run.
 *
 *   node --import tsx bench/cluster.bench.mjs                    3 rounds, 50 readers, 200 updates at 20/s
 *   node --import tsx bench/cluster.bench.mjs --rounds 5 --readers 100 --updates 300 --rate 20
 *
 * Three server processes, all on one fresh Postgres database (crux_bench_cluster_<random> on
 * BENCH_PG_URL, default postgres://postgres@127.0.0.1:5432/postgres; dropped at the end) and the
 * Redis at BENCH_REDIS_URL (default redis://127.0.0.1:6379, channels under a random prefix):
 *   A, B  Crux with REDIS_URL (the cluster mode),
 *   P     Crux without REDIS_URL (one instance, as before) — the reference for what the cluster
 *         mode costs even when everyone is on one instance.
 * Scenarios, each in a fresh room, in a rotating order every round:
 *   cross   writer on A, readers on B: commit on A, publish, B applies and relays
 *   single  writer and readers on A (cluster mode, nobody else subscribed)
 *   plain   writer and readers on P
 * The servers are pinned to core 0 and this load generator to core 1 (`taskset`, when present);
 * Postgres and Redis float. Propagation = the writer's send → a reader's receipt, one clock.
 * Prints p50/p95/p99/max per scenario (median over rounds) and the ratios cross/single and
 * single/plain, per round and of the medians.
 */
import { spawn, spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import WebSocket from 'ws';
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';

const FILE = fileURLToPath(import.meta.url);
const ROOT = path.resolve(path.dirname(FILE), '..');
const argv = process.argv.slice(2);
const opt = (name, def) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : def;
};

// ---------------------------------------------------------------------------------------------
// Load generator and orchestration.

async function main() {
  const { addClaim, updateClaim } = await import('../lib/model/doc.ts');
  const ROUNDS = Number(opt('rounds', 3));
  const READERS = Number(opt('readers', 50));
  const UPDATES = Number(opt('updates', 200));
  const RATE = Number(opt('rate', 20));
  const WARMUP = 10;
  const PG_ADMIN = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const REDIS = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const PREFIX = `crux-bench:${process.pid}:`;
  const taskset = spawnSync('taskset', ['-c', '1', 'true']).status === 0;
  if (taskset) spawnSync('taskset', ['-cp', '1', String(process.pid)], { stdio: 'ignore' });

  const dbName = `crux_bench_cluster_${Math.random().toString(36).slice(2, 10)}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${dbName}"`);
  await admin.end();
  const u = new URL(PG_ADMIN);
  u.pathname = `/${dbName}`;
  const DB = u.toString();
  const children = [];
  const dropDb = async () => {
    const a = new pg.Client({ connectionString: PG_ADMIN });
    await a.connect();
    await a.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
    await a.end();
  };
  const cleanup = async () => {
    for (const c of children) c.kill('SIGKILL');
    await dropDb().catch((e) => console.error('could not drop', dbName, e.message));
  };
  process.on('SIGINT', () => void cleanup().then(() => process.exit(130)));
  const budget = setTimeout(() => {
    console.error('time budget (20 min) exceeded');
    void cleanup().then(() => process.exit(1));
  }, 20 * 60_000);
  budget.unref();

  const startServerProcess = (name, redis) =>
    new Promise((resolve, reject) => {
      const args = ['--import', 'tsx', FILE, '--role', 'server', '--db', DB, '--name', name, '--prefix', PREFIX];
      if (redis) args.push('--redis', REDIS);
      const cmd = taskset ? 'taskset' : process.execPath;
      const child = spawn(cmd, taskset ? ['-c', '0', process.execPath, ...args] : args, {
        cwd: ROOT,
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      children.push(child);
      child.on('message', (m) => m?.ready && resolve({ name, port: m.port, child }));
      child.on('exit', (code) => reject(new Error(`${name} exited (${code})`)));
    });

  try {
    // One at a time: the first migrates the fresh database.
    console.log(`database ${dbName}, Redis ${REDIS}; starting servers…`);
    const A = await startServerProcess('A', true);
    const B = await startServerProcess('B', true);
    const P = await startServerProcess('P', false);
    const pool = new pg.Client({ connectionString: DB });
    pool.on('error', () => undefined);
    await pool.connect();
    console.log(`servers up: A ${A.port}, B ${B.port}, P ${P.port}`);

    const SCENARIOS = {
      cross: { writer: A, readers: B },
      single: { writer: A, readers: A },
      plain: { writer: P, readers: P },
    };
    const order = Object.keys(SCENARIOS);
    const results = Object.fromEntries(order.map((k) => [k, []]));
    let roomNo = 0;
    for (let round = 1; round <= ROUNDS; round++) {
      const rotated = order.map((_, i) => order[(i + round - 1) % order.length]);
      for (const name of rotated) {
        const room = `bench-cluster-${++roomNo}`;
        await pool.query('INSERT INTO "Debate" ("id", "title") VALUES ($1, $2)', [room, room]);
        const r = await fanout({ ...SCENARIOS[name], room });
        results[name].push(r);
        console.log(
          `round ${round} ${name.padEnd(6)} p50 ${r.p50.toFixed(1)}  p95 ${r.p95.toFixed(1)}  p99 ${r.p99.toFixed(1)}  max ${r.max.toFixed(1)} ms  undelivered ${r.undelivered}`,
        );
      }
    }
    await pool.end();
    report(results, ROUNDS);
    for (const c of children) c.send('stop');
    await new Promise((r) => setTimeout(r, 1500));
  } finally {
    await cleanup();
    clearTimeout(budget);
  }

  // ---- one scenario

  async function fanout({ writer, readers, room }) {
    const sentAt = new Map();
    const lat = [];
    const writerDoc = new Y.Doc();
    const w = await client(writer.port, room, null);
    let pending;
    writerDoc.on('update', (upd) => (pending = upd));
    addClaim(writerDoc, { id: 'benchclaim000001', text: 'moving', x: 0, y: 0, author: 'bench', now: 0 });
    w.send(updateFrame(pending));
    await sleep(300);
    const seen = [];
    const rs = [];
    for (let i = 0; i < READERS; i += 25) {
      const group = [];
      for (let j = i; j < Math.min(READERS, i + 25); j++) {
        const s = new Set();
        seen.push(s);
        group.push(
          client(readers.port, room, (seq) => {
            if (seq < 0 || s.has(seq)) return;
            s.add(seq);
            const t = sentAt.get(seq);
            if (t !== undefined) lat.push(performance.now() - t);
          }),
        );
      }
      rs.push(...(await Promise.all(group)));
    }
    // The readers' instance subscribes when its room loads; give the subscription a moment.
    await sleep(500);
    const edit = (seq) => {
      updateClaim(writerDoc, 'benchclaim000001', { x: seq, y: seq }, undefined, seq);
      return updateFrame(pending);
    };
    const period = 1000 / RATE;
    const t0 = performance.now();
    for (let k = 1; k <= WARMUP + UPDATES; k++) {
      const due = t0 + k * period;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      const f = edit(k);
      if (k > WARMUP) sentAt.set(k, performance.now());
      w.send(f);
    }
    const expected = UPDATES * READERS;
    const deadline = performance.now() + 5000;
    while (lat.length < expected && performance.now() < deadline) await sleep(20);
    for (const c of [w, ...rs]) c.close();
    await sleep(200);
    lat.sort((a, b) => a - b);
    const q = (p) => (lat.length ? lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] : NaN);
    return { p50: q(0.5), p95: q(0.95), p99: q(0.99), max: lat.length ? lat[lat.length - 1] : NaN, undelivered: expected - lat.length };
  }
}

// ---------------------------------------------------------------------------------------------
// Wire: the standard y-websocket framing, raw.

function updateFrame(update) {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, 0);
  encoding.writeVarUint(e, 2);
  encoding.writeVarUint8Array(e, update);
  return encoding.toUint8Array(e);
}

/** The numbers moved claims carry (x = y = updatedAt = seq): several when a group commit is relayed merged. */
function seqsOf(payload) {
  const found = new Set();
  try {
    for (const s of Y.decodeUpdate(payload).structs) {
      const c = s.content;
      if (c instanceof Y.ContentAny) for (const v of c.arr) if (typeof v === 'number' && v > 0) found.add(v);
    }
  } catch {
    /* not an update we made */
  }
  return [...found];
}

function client(port, room, onSeq) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/yjs/${room}`, { perMessageDeflate: false });
    ws.binaryType = 'nodebuffer';
    let synced = false;
    ws.on('open', () => {
      const e = encoding.createEncoder();
      encoding.writeVarUint(e, 0);
      encoding.writeVarUint(e, 0);
      encoding.writeVarUint8Array(e, Y.encodeStateVector(new Y.Doc()));
      ws.send(encoding.toUint8Array(e));
    });
    ws.on('message', (data) => {
      const d = decoding.createDecoder(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      if (decoding.readVarUint(d) !== 0) return;
      const step = decoding.readVarUint(d);
      if (step === 0) return;
      const payload = decoding.readVarUint8Array(d);
      if (step === 1 && !synced) {
        synced = true;
        resolve({ send: (f) => ws.send(f), close: () => ws.close() });
        return;
      }
      if (step === 2 && onSeq) for (const seq of seqsOf(payload)) onSeq(seq);
    });
    ws.on('error', reject);
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function report(results, rounds) {
  const f = (x) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));
  console.log(`\n| scenario | p50 ms | p95 ms | p99 ms | max ms | undelivered |  (median over ${rounds} rounds [min–max])`);
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const [name, rs] of Object.entries(results)) {
    const cell = (k) => `${f(median(rs.map((r) => r[k])))} [${f(Math.min(...rs.map((r) => r[k])))}–${f(Math.max(...rs.map((r) => r[k])))}]`;
    console.log(
      `| ${name} | ${cell('p50')} | ${cell('p95')} | ${cell('p99')} | ${cell('max')} | ${rs.reduce((n, r) => n + r.undelivered, 0)} |`,
    );
  }
  const ratio = (a, b, k) => {
    const per = results[a].map((r, i) => r[k] / results[b][i][k]);
    return `${(median(results[a].map((r) => r[k])) / median(results[b].map((r) => r[k]))).toFixed(2)} (per round ${per.map((x) => x.toFixed(2)).join(', ')})`;
  };
  console.log('');
  for (const k of ['p99', 'p50']) {
    console.log(`- cross / single, ${k}: **${ratio('cross', 'single', k)}**`);
    console.log(`- single / plain, ${k}: ${ratio('single', 'plain', k)}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Server role: one Crux instance, driven over IPC.

async function serve() {
  const { startServer } = await import('../server/app.ts');
  const redisUrl = opt('redis', '') || undefined;
  const server = await startServer({
    next: false,
    log: () => undefined,
    config: {
      port: 0,
      host: '127.0.0.1',
      dev: false,
      seed: false,
      rootDir: ROOT,
      publicUrl: undefined,
      databaseUrl: opt('db'),
      dataDir: path.join(ROOT, 'bench', 'out', 'unused'),
      redisUrl,
      redisPrefix: opt('prefix'),
      instanceId: opt('name'),
    },
  });
  process.on('message', (m) => {
    if (m === 'stop') void server.close().then(() => process.exit(0));
  });
  process.on('disconnect', () => process.exit(0));
  process.send({ ready: true, port: server.port });
}

if (opt('role') === 'server') await serve();
else await main();
