/*
 * Idle connections ([harden] 6): 1,000 WebSocket connections spread over 10 debates, held open
 * and silent (only the servers' keep-alive pings and the clients' automatic pongs) for a while,
 * against Crux (on embedded PGlite) and, in the same run, @y/websocket-server 0.1.1 in memory.
 * Every 10 s each server reports its RSS and heap after a forced GC. Printed: growth from the
 * 1-minute mark to the end (the goal: under 10 MB for Crux over 10 minutes) and the ratio to
 * the reference's growth.
 *
 *   node bench/idle.mjs                  10 minutes per server, one after the other
 *   node bench/idle.mjs --minutes 1      a quick run (growth then measured from 30 s)
 *   node bench/idle.mjs --connections 500 --servers crux
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';

const BENCH = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(BENCH, '..');
const argv = process.argv.slice(2);
const opt = (name, def) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : def;
};
const MINUTES = Number(opt('minutes', '10'));
const CONNECTIONS = Number(opt('connections', '1000'));
const DEBATES = 10;
const SAMPLE_MS = 10_000;
const BASELINE_MS = MINUTES >= 2 ? 60_000 : 30_000;
const SERVERS = opt('servers', 'crux,yws').split(',');

const LAUNCH = {
  crux: { args: ['--expose-gc', '--import', 'tsx', path.join(BENCH, 'crux-server.ts'), 'pglite'] },
  yws: { args: ['--expose-gc', path.join(BENCH, 'ref', 'yws-server.mjs')] },
};

function launch(name) {
  const child = spawn(process.execPath, LAUNCH[name].args, {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1' },
  });
  let next = 0;
  const waiting = new Map();
  let onReady;
  const ready = new Promise((resolve) => (onReady = resolve));
  child.on('message', (msg) => {
    if (msg.ready) return onReady(msg);
    const w = waiting.get(msg.id);
    if (!w) return;
    waiting.delete(msg.id);
    if (msg.ok) w.resolve(msg.result);
    else w.reject(new Error(msg.error));
  });
  const call = (cmd, args = {}) =>
    new Promise((resolve, reject) => {
      const id = next++;
      waiting.set(id, { resolve, reject });
      child.send({ id, cmd, ...args });
    });
  return { child, ready, call };
}

const mb = (b) => (b / 2 ** 20).toFixed(1);

async function run(name) {
  const srv = launch(name);
  const { port } = await srv.ready;
  const rooms = Array.from({ length: DEBATES }, (_, i) => `idle${i}`);
  let prefix = '/';
  for (const room of rooms) prefix = (await srv.call('prepare', { room })).path;
  const sockets = [];
  for (let i = 0; i < CONNECTIONS; i++) {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${prefix}${rooms[i % DEBATES]}`, { perMessageDeflate: false });
    ws.on('error', () => undefined);
    sockets.push(
      new Promise((resolve, reject) => {
        ws.once('open', () => resolve(ws));
        ws.once('close', (code) => reject(new Error(`connection ${i} closed: ${code}`)));
      }),
    );
    // Opened in small batches, as a crowd arrives, not as one burst.
    if (i % 50 === 49) await Promise.all(sockets.slice(i - 49));
  }
  const open = await Promise.all(sockets);
  let closed = 0;
  for (const ws of open) ws.on('close', () => closed++);
  const samples = [];
  const t0 = Date.now();
  const sample = async () => {
    const m = await srv.call('memory');
    samples.push({ t: Date.now() - t0, rss: m.rss, heap: m.heapUsed });
    const s = samples[samples.length - 1];
    console.log(`[idle ${name}] ${(s.t / 1000).toFixed(0)} s: rss ${mb(s.rss)} MB, heap ${mb(s.heap)} MB, open ${open.length - closed}`);
  };
  await sample();
  while (Date.now() - t0 < MINUTES * 60_000) {
    await new Promise((r) => setTimeout(r, SAMPLE_MS));
    await sample();
  }
  const dropped = closed;
  for (const ws of open) ws.terminate();
  await srv.call('stop').catch(() => undefined);
  srv.child.kill();
  const base = samples.find((s) => s.t >= BASELINE_MS) ?? samples[0];
  const end = samples[samples.length - 1];
  return { name, base, end, rssGrowth: end.rss - base.rss, heapGrowth: end.heap - base.heap, closed: dropped, samples: samples.length };
}

const results = [];
for (const name of SERVERS) results.push(await run(name));
console.log(
  `\n${CONNECTIONS} idle connections over ${DEBATES} debates, ${MINUTES} min; growth from ${BASELINE_MS / 1000} s to the end (after GC):`,
);
console.log('| server | RSS at baseline | RSS at end | RSS growth | heap growth | dropped |');
console.log('|---|---|---|---|---|---|');
for (const r of results)
  console.log(`| ${r.name} | ${mb(r.base.rss)} MB | ${mb(r.end.rss)} MB | ${mb(r.rssGrowth)} MB | ${mb(r.heapGrowth)} MB | ${r.closed} |`);
const crux = results.find((r) => r.name === 'crux');
const ref = results.find((r) => r.name === 'yws');
if (crux)
  console.log(`Crux RSS growth ${mb(crux.rssGrowth)} MB against the 10 MB goal: ${crux.rssGrowth < 10 * 2 ** 20 ? 'met' : 'NOT met'}`);
// Crux's RSS includes the embedded Postgres (PGlite's wasm heap); the reference keeps nothing on
// disk. Growth, not size, is what this bench is about.
if (crux && ref)
  console.log(`growth, Crux − reference: RSS ${mb(crux.rssGrowth - ref.rssGrowth)} MB, heap ${mb(crux.heapGrowth - ref.heapGrowth)} MB`);
process.exit(0);
