/*
 * The measuring side of a server launcher (bench/crux-server.ts, bench/ref/*-server.mjs): answers
 * the orchestrator's requests over the IPC channel. Node built-ins only, so that every launcher can
 * import it whatever node_modules it resolves from.
 *
 * Requests are `{ id, cmd, ...args }`; replies `{ id, ok, result | error }`. Built in:
 *   reset    restart the CPU and event-loop-delay window
 *   stats    CPU µs (user, system), event-loop delay p50/p99/max in ms over the window, memory
 *   memory   memoryUsage() after two full GCs (launchers run with --expose-gc)
 * Anything else goes to the launcher's own handler (prepare a room, is a room loaded, …);
 * `onReset` and `extraStats` let a launcher add its own figures to the window.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { Session } from 'node:inspector';
import { mkdirSync, writeFileSync } from 'node:fs';
import v8 from 'node:v8';
import path from 'node:path';

/**
 * With BENCH_PROFILE_DIR set (run.mjs --cpu-prof), every measuring window (reset → stats) is also
 * CPU-profiled through the inspector, so the profile holds the window and nothing of start-up.
 */
const PROFILE_DIR = process.env.BENCH_PROFILE_DIR;
let profiler;
let windows = 0;
let profiling = false;
function post(method, params) {
  return new Promise((resolve, reject) => profiler.post(method, params, (err, res) => (err ? reject(err) : resolve(res))));
}
async function profileStart() {
  if (!PROFILE_DIR) return;
  if (!profiler) {
    profiler = new Session();
    profiler.connect();
    await post('Profiler.enable');
    await post('Profiler.setSamplingInterval', { interval: 200 });
  }
  await post('Profiler.start');
  profiling = true;
}
async function profileStop() {
  if (!profiling) return;
  profiling = false;
  const { profile } = await post('Profiler.stop');
  mkdirSync(PROFILE_DIR, { recursive: true });
  const file = path.join(PROFILE_DIR, `${process.env.BENCH_SERVER_NAME ?? 'server'}-${process.pid}-window${++windows}.cpuprofile`);
  writeFileSync(file, JSON.stringify(profile));
}

export function serveProbe(handlers = {}, { onReset, extraStats } = {}) {
  // A 5 ms sampling timer: fine enough for stalls of a few ms, cheap enough not to load the server.
  const RESOLUTION_MS = 5;
  let eld = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  eld.enable();
  let cpu0 = process.cpuUsage();
  let t0 = performance.now();
  const memory = () => {
    if (typeof globalThis.gc === 'function') {
      globalThis.gc();
      globalThis.gc();
    }
    const m = process.memoryUsage();
    return { rss: m.rss, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers };
  };
  const builtin = {
    reset: async () => {
      await profileStop();
      await profileStart();
      eld.disable();
      eld = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
      eld.enable();
      cpu0 = process.cpuUsage();
      t0 = performance.now();
      onReset?.();
      return true;
    },
    stats: async () => {
      const cpu = process.cpuUsage(cpu0);
      const ms = (ns) => ns / 1e6;
      const m = process.memoryUsage();
      const out = {
        wallMs: performance.now() - t0,
        cpuUserUs: cpu.user,
        cpuSystemUs: cpu.system,
        eldP50: ms(eld.percentile(50)),
        eldP99: ms(eld.percentile(99)),
        eldMax: ms(eld.max),
        rss: m.rss,
        heapUsed: m.heapUsed,
        ...extraStats?.(),
      };
      await profileStop();
      return out;
    },
    memory,
    /** Writes a heap snapshot (after GC) to `file`: for diagnosing a memory figure, not used by the suites. */
    heapSnapshot: ({ file }) => {
      memory();
      return v8.writeHeapSnapshot(file);
    },
  };
  process.on('message', async (msg) => {
    if (!msg || typeof msg !== 'object' || msg.id === undefined) return;
    const fn = builtin[msg.cmd] ?? handlers[msg.cmd];
    try {
      if (!fn) throw new Error(`unknown command ${msg.cmd}`);
      const result = await fn(msg);
      process.send({ id: msg.id, ok: true, result });
    } catch (e) {
      process.send({ id: msg.id, ok: false, error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
    }
  });
  // The orchestrator going away (crash, Ctrl-C) must not leave a server behind.
  process.on('disconnect', () => process.exit(0));
}

/** Tells the orchestrator the server is up. */
export function ready(info) {
  process.send({ ready: true, ...info });
}
