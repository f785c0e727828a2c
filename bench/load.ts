/*
 * The load generator of bench/run.mjs: one process (pinned to its own core by the orchestrator)
 * holding the writer(s) and every reader, so that a propagation time is send → receive on one
 * clock. It speaks the wire protocols raw over `ws` + lib0 + y-protocols — the standard
 * y-websocket framing (Crux, @y/websocket-server) and Hocuspocus's (every frame prefixed with the
 * document name, an Auth frame first) — and never builds a provider, so the client side costs the
 * same against every server.
 *
 * Updates are Crux-valid edits made with lib/model/doc.ts (Crux validates every update): the
 * writer moves its claim to x = y = updatedAt = sequence number, so a reader finds the sequence
 * number in the update's content. Relayed frames are the same bytes for every reader, so each
 * distinct payload is decoded once.
 *
 * Invoked by the orchestrator with one JSON argument (the job); reports the result over IPC. It
 * reaches the server's probe (bench/lib/probe.mjs) through the orchestrator: `server(cmd)`.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { readFile } from 'node:fs/promises';
import WebSocket from 'ws';
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';
import { addClaim, claimsMap, updateClaim } from '../lib/model/doc';

type Protocol = 'y-websocket' | 'hocuspocus';

interface Target {
  port: number;
  pathPrefix: string;
  protocol: Protocol;
}

export interface Job {
  suite: 'fanout' | 'writers' | 'joinstorm' | 'memory';
  target: Target;
  room: string;
  [k: string]: unknown;
}

// ---------------------------------------------------------------------------------------------
// The orchestrator's relay to the server's probe

let nextId = 1;
const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
process.on('message', (msg: { id: number; ok: boolean; result?: unknown; error?: string }) => {
  const p = pending.get(msg.id);
  if (!p) return;
  pending.delete(msg.id);
  if (msg.ok) p.resolve(msg.result);
  else p.reject(new Error(msg.error));
});
function server<T = unknown>(cmd: string, args: Record<string, unknown> = {}): Promise<T> {
  const id = nextId++;
  return new Promise<T>((resolve, reject) => {
    pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
    process.send!({ id, server: { cmd, ...args } });
  });
}
process.on('disconnect', () => process.exit(1));

// ---------------------------------------------------------------------------------------------
// Wire

const MSG_SYNC = 0;
const MSG_AUTH = 2;
const STEP1 = 0;
const STEP2 = 1;
const UPDATE = 2;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function frame(protocol: Protocol, room: string, build: (e: encoding.Encoder) => void): Uint8Array {
  const e = encoding.createEncoder();
  if (protocol === 'hocuspocus') encoding.writeVarString(e, room);
  build(e);
  return encoding.toUint8Array(e);
}

const step1Frame = (protocol: Protocol, room: string, sv: Uint8Array) =>
  frame(protocol, room, (e) => {
    encoding.writeVarUint(e, MSG_SYNC);
    encoding.writeVarUint(e, STEP1);
    encoding.writeVarUint8Array(e, sv);
  });

const updateFrame = (protocol: Protocol, room: string, update: Uint8Array) =>
  frame(protocol, room, (e) => {
    encoding.writeVarUint(e, MSG_SYNC);
    encoding.writeVarUint(e, UPDATE);
    encoding.writeVarUint8Array(e, update);
  });

/** Hocuspocus answers nothing until the socket authenticates; an empty token passes without an onAuthenticate hook. */
const authFrame = (room: string) =>
  frame('hocuspocus', room, (e) => {
    encoding.writeVarUint(e, MSG_AUTH);
    encoding.writeVarUint(e, 0);
    encoding.writeVarString(e, '');
  });

const EMPTY_SV = Y.encodeStateVector(new Y.Doc());

interface ClientOptions {
  target: Target;
  room: string;
  /** Called with each sync payload (step 2 or update) the server sends. */
  onPayload?: (payload: Uint8Array, step: number, client: Client) => void;
}

class Client {
  readonly ws: WebSocket;
  readonly openedAt = performance.now();
  syncedAt = 0;
  closed = false;
  closeCode = 0;
  private syncWaiters: (() => void)[] = [];

  constructor(
    readonly index: number,
    private readonly opts: ClientOptions,
  ) {
    const { target, room } = opts;
    const path = target.protocol === 'hocuspocus' ? target.pathPrefix : `${target.pathPrefix}${room}`;
    this.ws = new WebSocket(`ws://127.0.0.1:${target.port}${path}`, { perMessageDeflate: false });
    this.ws.binaryType = 'nodebuffer';
    this.ws.on('open', () => {
      if (target.protocol === 'hocuspocus') this.ws.send(authFrame(room));
      this.ws.send(step1Frame(target.protocol, room, EMPTY_SV));
    });
    this.ws.on('message', (data: Buffer) => this.receive(data));
    this.ws.on('error', () => undefined);
    this.ws.on('close', (code) => {
      this.closed = true;
      this.closeCode = code;
      for (const w of this.syncWaiters.splice(0)) w();
    });
  }

  private receive(data: Buffer): void {
    const d = decoding.createDecoder(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    if (this.opts.target.protocol === 'hocuspocus') decoding.readVarString(d);
    const type = decoding.readVarUint(d);
    if (type !== MSG_SYNC) return; // awareness, auth, Hocuspocus's SyncReply (4) and SyncStatus (8)
    const step = decoding.readVarUint(d);
    if (step === STEP1) return; // the server asking for our state: readers have none
    const payload = decoding.readVarUint8Array(d);
    if (step === STEP2 && this.syncedAt === 0) {
      this.syncedAt = performance.now();
      for (const w of this.syncWaiters.splice(0)) w();
    }
    this.opts.onPayload?.(payload, step, this);
  }

  synced(timeoutMs = 60_000): Promise<void> {
    if (this.syncedAt > 0 || this.closed) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`client ${this.index} not synced after ${timeoutMs} ms`)), timeoutMs);
      this.syncWaiters.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  send(f: Uint8Array): void {
    this.ws.send(f);
  }

  close(): void {
    this.ws.close();
  }
}

/** Opens clients `batch` at a time (a few hundred SYNs at once overflow nobody's backlog, but the ramp is the same for every server). */
async function connectMany(n: number, make: (i: number) => Client, batch = 50): Promise<Client[]> {
  const out: Client[] = [];
  for (let i = 0; i < n; i += batch) {
    const group: Client[] = [];
    for (let j = i; j < Math.min(n, i + batch); j++) group.push(make(j));
    await Promise.all(group.map((c) => c.synced()));
    out.push(...group);
  }
  const failed = out.filter((c) => c.closed);
  if (failed.length > 0)
    throw new Error(`${failed.length} of ${n} clients were closed while connecting (first code ${failed[0]!.closeCode})`);
  return out;
}

async function closeAll(clients: Client[]): Promise<void> {
  for (const c of clients) c.close();
  const t0 = Date.now();
  while (clients.some((c) => !c.closed) && Date.now() - t0 < 5000) await sleep(20);
}

// ---------------------------------------------------------------------------------------------
// Sequence numbers in content

const seqCache = new Map<string, number[]>();
/**
 * The sequence numbers the moved claims in an update carry (x = y = updatedAt = seq): one for a
 * single move, several when the server relays a group commit as one merged update (Crux does).
 */
function seqsOf(payload: Uint8Array): number[] {
  const key = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('latin1');
  let seqs = seqCache.get(key);
  if (seqs === undefined) {
    const found = new Set<number>();
    try {
      for (const s of Y.decodeUpdate(payload).structs) {
        const c = (s as Y.Item).content;
        if (c instanceof Y.ContentAny) for (const v of c.arr) if (typeof v === 'number' && v > 0) found.add(v);
      }
    } catch {
      found.clear();
    }
    seqs = [...found];
    seqCache.set(key, seqs);
  }
  return seqs;
}

/** A writer's edits, made with the app's own model functions and pre-encoded as frames. */
function makeEdits(
  protocol: Protocol,
  room: string,
  doc: Y.Doc,
  claimId: string,
  seqs: number[],
): { create?: Uint8Array; edits: Map<number, Uint8Array> } {
  const captured: Uint8Array[] = [];
  const onUpdate = (u: Uint8Array) => captured.push(u);
  doc.on('update', onUpdate);
  let create: Uint8Array | undefined;
  if (!claimsMap(doc).has(claimId)) {
    addClaim(doc, { id: claimId, text: `bench claim ${claimId}`, x: 0, y: 0, author: 'bench', now: 1 });
    create = updateFrame(protocol, room, captured.pop()!);
  }
  const edits = new Map<number, Uint8Array>();
  for (const seq of seqs) {
    updateClaim(doc, claimId, { x: seq, y: seq }, undefined, seq);
    edits.set(seq, updateFrame(protocol, room, captured.pop()!));
  }
  doc.off('update', onUpdate);
  return { create, edits };
}

// ---------------------------------------------------------------------------------------------
// Statistics

function percentiles(samples: number[]) {
  const s = Float64Array.from(samples).sort();
  const at = (q: number) => (s.length === 0 ? NaN : s[Math.min(s.length - 1, Math.floor(q * s.length))]!);
  return { n: s.length, p50: at(0.5), p95: at(0.95), p99: at(0.99), max: s.length ? s[s.length - 1]! : NaN };
}

/** The load generator's own event-loop delay: if it is high, the latencies measure us, not the server. */
function loadLoop() {
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  return () => ({ p99: h.percentile(99) / 1e6, max: h.max / 1e6 });
}

// ---------------------------------------------------------------------------------------------
// Suites

/** Runs `count` sends at `ratePerSec`, on a drift-free schedule. */
async function paced(count: number, ratePerSec: number, send: (k: number) => void): Promise<void> {
  const period = 1000 / ratePerSec;
  const start = performance.now();
  for (let k = 0; k < count; k++) {
    const due = start + k * period;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    send(k);
  }
}

interface Tracker {
  sentAt: Map<number, number>;
  latencies: number[];
  /** seq → how many clients received it. */
  received: Map<number, number>;
  duplicates: number;
}
const tracker = (): Tracker => ({ sentAt: new Map(), latencies: [], received: new Map(), duplicates: 0 });

function record(t: Tracker, seq: number, seenBy: Set<number> | undefined): void {
  const sent = t.sentAt.get(seq);
  if (sent === undefined) return; // warm-up, a claim's creation, or our own echo before the window
  if (seenBy && !seenBy.has(seq)) {
    // A server that relays a group commit as one merged update (Crux) sends a claim's last
    // position only: the earlier moves of the same writer that it replaced arrive with it (the
    // reader's document holds their effect from then on), so they count as delivered now.
    // Writers' seqs are writer·1e6 + k, so this never walks into another writer's.
    for (let prev = seq - 1; prev % 1e6 !== 0 && !seenBy.has(prev) && t.sentAt.has(prev); prev--) record(t, prev, seenBy);
  }
  if (seenBy) {
    if (seenBy.has(seq)) {
      t.duplicates++;
      return;
    }
    seenBy.add(seq);
  }
  t.latencies.push(performance.now() - sent);
  t.received.set(seq, (t.received.get(seq) ?? 0) + 1);
}

async function serverMemory() {
  return server<{ rss: number; heapUsed: number; external: number; arrayBuffers: number }>('memory');
}

/** 1 writer → N readers, one room, `rate` updates/s. */
async function fanout(job: Job) {
  const { target, room } = job;
  const readers = job.readers as number;
  const rate = job.rate as number;
  const warmup = job.warmup as number;
  const measured = job.measured as number;
  const graceMs = job.graceMs as number;
  const t = tracker();
  const seen = new Map<number, Set<number>>();

  const writerDoc = new Y.Doc();
  const writer = new Client(-1, { target, room, onPayload: (p, step) => step === STEP2 && Y.applyUpdate(writerDoc, p) });
  await writer.synced();
  const seqs = Array.from({ length: warmup + measured }, (_, i) => i + 1);
  const { create, edits } = makeEdits(target.protocol, room, writerDoc, 'benchclaim000001', seqs);
  if (create) writer.send(create);
  await sleep(300);

  const mem0 = await serverMemory();
  const clients = await connectMany(readers, (i) => {
    const s = new Set<number>();
    seen.set(i, s);
    return new Client(i, {
      target,
      room,
      onPayload: (p, step) => {
        if (step === UPDATE) for (const seq of seqsOf(p)) record(t, seq, s);
      },
    });
  });
  await sleep(300);
  const mem1 = await serverMemory();
  // What the server burns with these connections open and nothing happening (timers, the probe's
  // own sampling): subtracted from the window's CPU so that the per-update figure is the relay's.
  await server('reset');
  await sleep(job.idleMs as number);
  const idle = await server<Record<string, number>>('stats');
  const idleCpuPerMs = (idle.cpuUserUs! + idle.cpuSystemUs!) / idle.wallMs!;

  await paced(warmup, rate, (k) => writer.send(edits.get(k + 1)!));
  await sleep(300);
  const loop = loadLoop();
  await server('reset');
  await paced(measured, rate, (k) => {
    const seq = warmup + k + 1;
    t.sentAt.set(seq, performance.now());
    writer.send(edits.get(seq)!);
  });
  const expected = measured * readers;
  const deadline = performance.now() + graceMs;
  while (t.latencies.length < expected && performance.now() < deadline) await sleep(20);
  const stats = await server<Record<string, number>>('stats');
  const closedEarly = clients.filter((c) => c.closed).length + (writer.closed ? 1 : 0);
  await closeAll([...clients, writer]);
  return {
    ...percentiles(t.latencies),
    expected,
    undelivered: expected - t.latencies.length,
    duplicates: t.duplicates,
    closedEarly,
    server: stats,
    cpuUsPerUpdatePerReader: (stats.cpuUserUs! + stats.cpuSystemUs! - idleCpuPerMs * stats.wallMs!) / (measured * readers),
    grossCpuUsPerUpdatePerReader: (stats.cpuUserUs! + stats.cpuSystemUs!) / (measured * readers),
    idleCpuPercent: idleCpuPerMs / 10,
    rssPerConnection: (mem1.rss - mem0.rss) / readers,
    heapPerConnection: (mem1.heapUsed + mem1.external - mem0.heapUsed - mem0.external) / readers,
    loadLoop: loop(),
  };
}

/** W clients in one room, each moving its own claim `rate` times a second; everyone hears everyone. */
async function writers(job: Job) {
  const { target, room } = job;
  const n = job.writers as number;
  const rate = job.rate as number;
  const warmupSec = job.warmupSec as number;
  const measureSec = job.measureSec as number;
  const graceMs = job.graceMs as number;
  const t = tracker();
  const perWriter = Math.ceil((warmupSec + measureSec) * rate);
  // seq = writer * 1e6 + k: unique across writers, and the writer is seq / 1e6.
  const clients = await connectMany(n, (i) => {
    const s = new Set<number>();
    return new Client(i, {
      target,
      room,
      onPayload: (p, step) => {
        if (step !== UPDATE) return;
        for (const seq of seqsOf(p)) if (Math.floor(seq / 1e6) !== i) record(t, seq, s);
      },
    });
  });
  const plans = clients.map((c, i) =>
    makeEdits(
      target.protocol,
      room,
      new Y.Doc(),
      `benchwriter${String(i).padStart(5, '0')}`,
      Array.from({ length: perWriter }, (_, k) => i * 1e6 + k + 1),
    ),
  );
  // Creations spread over a second, as people arriving would.
  await paced(n, n, (i) => clients[i]!.send(plans[i]!.create!));
  await sleep(1000);

  const period = 1000 / rate;
  const loop = loadLoop();
  let measuring = false;
  let sentMeasured = 0;
  const start = performance.now();
  // One timer per writer, phases spread evenly over the period.
  const runs = clients.map(async (c, i) => {
    await sleep((i / n) * period);
    await paced(perWriter, rate, (k) => {
      const seq = i * 1e6 + k + 1;
      // Every edit is sent (a gap in a writer's clock would stall its later updates); only those
      // sent inside the window are timed.
      if (measuring) {
        t.sentAt.set(seq, performance.now());
        sentMeasured++;
      }
      c.send(plans[i]!.edits.get(seq)!);
    });
  });
  await sleep(warmupSec * 1000 - (performance.now() - start));
  await server('reset');
  measuring = true;
  await Promise.all(runs);
  measuring = false;
  const expected = sentMeasured * (n - 1);
  const deadline = performance.now() + graceMs;
  while (t.latencies.length < expected && performance.now() < deadline) await sleep(20);
  const stats = await server<Record<string, number>>('stats');
  const closedEarly = clients.filter((c) => c.closed).length;
  await closeAll(clients);
  return {
    ...percentiles(t.latencies),
    updates: sentMeasured,
    expected,
    undelivered: expected - t.latencies.length,
    duplicates: t.duplicates,
    closedEarly,
    server: stats,
    cpuUsPerUpdatePerReader: (stats.cpuUserUs! + stats.cpuSystemUs!) / Math.max(1, expected),
    loadLoop: loop(),
  };
}

/** Pushes a whole document into a room of a server that has no store (@y/websocket-server). Returns the pusher, which keeps the room loaded. */
async function pushDoc(target: Target, room: string, bytes: Uint8Array): Promise<Client> {
  const pusher = new Client(-2, { target, room });
  await pusher.synced();
  pusher.send(updateFrame(target.protocol, room, bytes));
  // A second client's sync tells us the server has applied it.
  for (let i = 0; i < 100; i++) {
    let size = 0;
    const probe = new Client(-3, { target, room, onPayload: (p, step) => step === STEP2 && (size = p.byteLength) });
    await probe.synced();
    probe.close();
    if (size >= bytes.byteLength * 0.9) return pusher;
    await sleep(100);
  }
  throw new Error('the server never held the pushed document');
}

async function waitUnloaded(room: string, timeoutMs = 15_000): Promise<void> {
  const t0 = Date.now();
  while (await server<boolean>('loaded', { room })) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`room ${room} still loaded after ${timeoutMs} ms`);
    await sleep(50);
  }
}

/** C clients open the same big debate at the same moment; cold (from the store) and warm (in memory) trials. */
async function joinstorm(job: Job) {
  const { target, room } = job;
  const n = job.clients as number;
  const trials = job.trials as number;
  const modes = job.modes as ('cold' | 'warm')[];
  const docBytes = new Uint8Array(await readFile(job.docFile as string));
  const expectClaims = job.claims as number;
  const out: Record<
    string,
    {
      times: number[];
      perTrial: ReturnType<typeof percentiles>[];
      loadLoop: { p99: number; max: number }[];
      server: { eldMax: number; eldP99: number; cpuMs: number; wallMs: number }[];
    }
  > = {};
  let pusher: Client | undefined;
  if (job.push) pusher = await pushDoc(target, room, docBytes);
  for (let trial = 0; trial < trials; trial++) {
    for (const mode of modes) {
      let keeper: Client | undefined;
      if (mode === 'cold') await waitUnloaded(room);
      else if (!pusher) {
        keeper = new Client(-4, { target, room });
        await keeper.synced();
      }
      await sleep(200);
      await server('reset');
      const loop = loadLoop();
      let first: Uint8Array | undefined;
      const syncedAt: number[] = [];
      const t0 = performance.now();
      const clients: Client[] = [];
      for (let i = 0; i < n; i++)
        clients.push(
          new Client(i, {
            target,
            room,
            onPayload: (p) => {
              // Synced = holding the document: the payload that carries it (a server may first send an empty step 2).
              if (p.byteLength < docBytes.byteLength * 0.9 || syncedAt[i] !== undefined) return;
              syncedAt[i] = performance.now() - t0;
              first ??= p;
            },
          }),
        );
      const deadline = performance.now() + (job.deadlineMs as number);
      while (syncedAt.filter((x) => x !== undefined).length < n && performance.now() < deadline) {
        if (clients.some((c) => c.closed))
          throw new Error(`a join-storm client was closed (code ${clients.find((c) => c.closed)!.closeCode})`);
        await sleep(5);
      }
      const times = syncedAt.filter((x) => x !== undefined);
      if (times.length < n) throw new Error(`${n - times.length} of ${n} clients never received the document`);
      const lp = loop();
      const st = await server<Record<string, number>>('stats');
      // Checked after the clock stopped: the document that arrived is the whole debate.
      const check = new Y.Doc();
      Y.applyUpdate(check, first!);
      const claims = claimsMap(check).size;
      check.destroy();
      if (claims !== expectClaims) throw new Error(`a client synced ${claims} claims, expected ${expectClaims}`);
      await closeAll(clients);
      keeper?.close();
      const o = (out[mode] ??= { times: [], perTrial: [], loadLoop: [], server: [] });
      o.times.push(...times);
      o.perTrial.push(percentiles(times));
      o.loadLoop.push(lp);
      o.server.push({ eldMax: st.eldMax!, eldP99: st.eldP99!, cpuMs: (st.cpuUserUs! + st.cpuSystemUs!) / 1000, wallMs: st.wallMs! });
    }
  }
  pusher?.close();
  const result: Record<string, unknown> = {};
  for (const [mode, o] of Object.entries(out))
    result[mode] = { ...percentiles(o.times), trials: o.perTrial, loadLoop: o.loadLoop, server: o.server };
  return result;
}

/** Server memory per idle connection (N in one small room) and per loaded 10,000-claim room. */
async function memory(job: Job) {
  const { target, room } = job;
  const n = job.idle as number;
  const docBytes = new Uint8Array(await readFile(job.docFile as string));
  // A few connections first, kept open: the first ones pay one-time costs (the room itself, lazily
  // loaded code, caches) that are not a connection's.
  const warm = await connectMany(10, (i) => new Client(-10 - i, { target, room }));
  await sleep(500);
  const m0 = await serverMemory();
  const idle = await connectMany(n, (i) => new Client(i, { target, room }));
  await sleep(500);
  const m1 = await serverMemory();
  await closeAll([...idle, ...warm]);
  await sleep(1000);
  const m2 = await serverMemory();
  const bigRoom = job.bigRoom as string;
  let keeper: Client;
  if (job.push) keeper = await pushDoc(target, bigRoom, docBytes);
  else {
    keeper = new Client(-5, { target, room: bigRoom });
    await keeper.synced();
  }
  await sleep(500);
  const m3 = await serverMemory();
  keeper.close();
  // The next suite measures memory too: do not hand it a room that is still being unloaded.
  if (!job.push) await waitUnloaded(bigRoom);
  const heap = (m: typeof m0) => m.heapUsed + m.external;
  return {
    idleConnections: n,
    rssPerConnection: (m1.rss - m0.rss) / n,
    heapPerConnection: (heap(m1) - heap(m0)) / n,
    rssPerRoom: m3.rss - m2.rss,
    heapPerRoom: heap(m3) - heap(m2),
    baseline: m0,
  };
}

const job = JSON.parse(process.argv[2]!) as Job;
const suites = { fanout, writers, joinstorm, memory };
suites[job.suite](job).then(
  (result) => {
    process.send!({ result }, () => process.exit(0));
  },
  (e: unknown) => {
    process.send!({ error: e instanceof Error ? (e.stack ?? e.message) : String(e) }, () => process.exit(1));
  },
);
