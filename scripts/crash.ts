/*
 * Crash durability ([harden] 1 and 5): N stock y-websocket clients edit one debate continuously
 * while the server (a real child process, scripts/crash.server.ts) is killed with SIGKILL at
 * random moments and restarted on the same store; then it is stopped with SIGTERM mid-edit.
 *
 *   npx tsx scripts/crash.ts                     100 kills on PGlite (the long run)
 *   npx tsx scripts/crash.ts --kills 20 --clients 8 --seed 7
 *   DATABASE_URL=postgres://… npx tsx scripts/crash.ts --store postgres
 *
 * What is checked (tests/integration/crash.test.ts runs the same with 10 kills):
 * - After every restart, before any old client reconnects, a fresh probe client loads the
 *   document: every update any client had received from the server before the kill is in it.
 *   (Checking only at the end would prove nothing: a client re-sends what the server lacks on
 *   reconnect, which would hide a loss.) The loaded document passes validateDoc.
 * - SIGTERM during edits exits 0, and the same containment holds for what was received before it.
 * - At the end every replica equals the stored document (state vector and graph), and the stored
 *   document passes validateDoc.
 * A client's own update that the server had not yet committed may die with the server: the
 * client keeps it and re-sends it on reconnect, which the final convergence check covers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as Y from 'yjs';
import { WebSocket } from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as decoding from 'lib0/decoding';
import * as syncProtocol from 'y-protocols/sync';
import { MessageType } from '../lib/protocol';
import { openDatabase } from '../server/db/client';
import {
  addClaim,
  addRelation,
  claimsMap,
  deleteClaims,
  ensureRoots,
  readGraph,
  relationsMap,
  setClaimText,
  updateClaim,
  validateDoc,
} from '../lib/model/doc';
import { createStore, type TestStore } from '../tests/integration/harness';

const ROOT = path.resolve(import.meta.dirname, '..');
const DEBATE = 'crash-debate';

export interface CrashOptions {
  kills: number;
  clients: number;
  seed: number;
  store: 'pglite' | 'postgres';
  /** Editing time before each kill is drawn from [minMs, maxMs]. */
  minMs?: number;
  maxMs?: number;
  log?: (msg: string) => void;
}

export interface CrashReport {
  store: string;
  kills: number;
  sigterms: number;
  clients: number;
  /** Local edits made by all clients (each one Yjs update). */
  updatesSent: number;
  /** Updates clients received from the server (relays and sync step 2 answers). */
  updatesReceived: number;
  /** Received updates checked for containment in the reloaded document, over all restarts. */
  containmentChecks: number;
  /** Rows in the update log plus 1 for a snapshot, at the end. */
  storedRows: number;
  compactedSnapshot: boolean;
  claims: number;
  relations: number;
  /** Failures: empty when everything held. */
  failures: string[];
  /** Milliseconds from SIGKILL to the restarted server listening, per kill. */
  restartMs: number[];
  elapsedMs: number;
}

/** mulberry32: small, seedable, good enough to pick edits and kill moments. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** A Crux server in its own process, on a fixed port so clients reconnect to the same address. */
export class ServerProcess {
  child: ChildProcess | undefined;
  output = '';
  constructor(
    readonly port: number,
    private readonly env: Record<string, string>,
  ) {}

  async start(): Promise<void> {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts', 'crash.server.ts')], {
      cwd: ROOT,
      env: { ...process.env, NODE_ENV: 'production', HOST: '127.0.0.1', PORT: String(this.port), CRUX_SEED: 'off', ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    let out = '';
    const append = (d: Buffer) => {
      out += d.toString();
      this.output = (this.output + d.toString()).slice(-20_000);
    };
    child.stdout!.on('data', append);
    child.stderr!.on('data', append);
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 60_000);
      const onExit = (code: number | null) => {
        clearTimeout(t);
        reject(new Error(`server exited with ${code} while starting:\n${out}`));
      };
      child.once('exit', onExit);
      child.stdout!.on('data', () => {
        if (out.includes('crash-server ready')) {
          clearTimeout(t);
          child.off('exit', onExit);
          resolve();
        }
      });
    });
  }

  /** Sends a signal and waits for the exit; returns the exit code (null when killed by the signal). */
  async stop(signal: 'SIGKILL' | 'SIGTERM'): Promise<number | null> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return child?.exitCode ?? null;
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill(signal);
    const code = await exited;
    this.child = undefined;
    return code;
  }
}

interface Client {
  name: string;
  doc: Y.Doc;
  provider: WebsocketProvider;
  received: Uint8Array[];
  sent: number;
  random: () => number;
}

/**
 * A stock provider. With `onServerUpdate`, every Yjs update the server sends (a sync step 2 or a
 * relayed update) is handed over as the bytes that came off the socket. What the client's doc
 * emits for them is not the same thing: its 'update' event encodes the client's transaction,
 * which also holds deletions the integration implied *locally* (a remote map value that loses to
 * the client's own newer value, an item landing in a claim the client deleted). When the
 * client's own change died with the server, the stored document rightly lacks those deletions;
 * counting them as "received" is what made earlier runs report deletions missing after restarts.
 */
function connect(port: number, doc: Y.Doc, onServerUpdate?: (update: Uint8Array) => void): WebsocketProvider {
  class RecordingSocket extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      if (!onServerUpdate) return;
      this.addEventListener('message', (ev) => {
        if (!(ev.data instanceof ArrayBuffer)) return;
        const d = decoding.createDecoder(new Uint8Array(ev.data));
        if (decoding.readVarUint(d) !== MessageType.Sync) return;
        const sub = decoding.readVarUint(d);
        if (sub === syncProtocol.messageYjsSyncStep2 || sub === syncProtocol.messageYjsUpdate)
          onServerUpdate(decoding.readVarUint8Array(d));
      });
    }
  }
  return new WebsocketProvider(`ws://127.0.0.1:${port}/yjs`, DEBATE, doc, {
    WebSocketPolyfill: RecordingSocket as unknown as typeof globalThis.WebSocket,
    disableBc: true,
    maxBackoffTime: 300,
  });
}

function pick<T>(random: () => number, xs: T[]): T | undefined {
  return xs.length === 0 ? undefined : xs[Math.floor(random() * xs.length)];
}

/** One random edit through the document accessors the app uses. */
function edit(c: Client): void {
  const r = c.random;
  const claims = [...claimsMap(c.doc).keys()];
  const roll = r();
  if (roll < 0.35 || claims.length < 3) {
    addClaim(c.doc, {
      id: newIdFrom(r),
      text: `${c.name} ${Math.floor(r() * 1e6)}`,
      x: Math.floor(r() * 4000),
      y: Math.floor(r() * 4000),
      author: c.name,
    });
  } else if (roll < 0.65) {
    const id = pick(r, claims)!;
    const old = readGraph(c.doc).claims.find((x) => x.id === id)?.text ?? '';
    const next = old.length > 300 ? old.slice(0, 50) : `${old}${String.fromCharCode(97 + Math.floor(r() * 26))}`;
    setClaimText(c.doc, id, next);
  } else if (roll < 0.8) {
    updateClaim(c.doc, pick(r, claims)!, { x: Math.floor(r() * 4000), y: Math.floor(r() * 4000) });
  } else if (roll < 0.93) {
    const from = pick(r, claims)!;
    const to = pick(r, claims)!;
    if (from !== to) addRelation(c.doc, { id: newIdFrom(r), from, to, kind: r() < 0.5 ? 'supports' : 'attacks', author: c.name });
  } else if (claims.length > 8) {
    deleteClaims(c.doc, [pick(r, claims)!]);
  }
}

function newIdFrom(r: () => number): string {
  const a = 'abcdefghijklmnopqrstuvwxyz0123456789';
  let s = '';
  for (let i = 0; i < 16; i++) s += a[Math.floor(r() * a.length)];
  return s;
}

const waitFor = async (cond: () => boolean, ms: number, what: string): Promise<void> => {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

/** Client → merged [clock, end) ranges of the structs and deletions in an encoded update. */
function coverage(update: Uint8Array | undefined): string {
  if (!update) return '';
  const { structs, ds } = Y.decodeUpdate(update);
  const ranges = new Map<number, [number, number][]>();
  const add = (client: number, from: number, to: number) => {
    const rs = ranges.get(client) ?? [];
    rs.push([from, to]);
    ranges.set(client, rs);
  };
  for (const st of structs) add(st.id.client, st.id.clock, st.id.clock + st.length);
  for (const [client, items] of ds.clients) for (const d of items) add(-client - 1, d.clock, d.clock + d.len);
  const out: string[] = [];
  for (const [client, rs] of [...ranges].sort((a, b) => a[0] - b[0])) {
    rs.sort((a, b) => a[0] - b[0]);
    const merged: [number, number][] = [];
    for (const r of rs) {
      const last = merged[merged.length - 1];
      if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
      else merged.push([r[0], r[1]]);
    }
    out.push(`${client}:${merged.map((m) => m.join('-')).join(',')}`);
  }
  return out.join(' ');
}

/**
 * Are all of `updates` already in `doc` (what the server loaded)? Applied to a copy they must
 * change neither its state vector nor its delete set, and add nothing to what is pending. A
 * stored update can legitimately be pending: a client's edit made just after it reconnected can
 * reach the server before the step 2 that carries its lost predecessor, and the server stores
 * and relays it as it comes; the predecessor follows from its author. Returns what is missing.
 */
export function containsAll(doc: Y.Doc, updates: Uint8Array[]): { kind: 'structs' | 'pending' | 'deletions'; detail: string } | undefined {
  if (updates.length === 0) return undefined;
  const copy = new Y.Doc({ gc: false });
  Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
  const before = Y.snapshot(copy);
  const pendingBefore = coverage(copy.store.pendingStructs?.update) + '|' + coverage(copy.store.pendingDs ?? undefined);
  // One by one, in the order received: runs here that merged them first with Y.mergeUpdates
  // reported deletions no single update carried (overlapping updates merge inexactly).
  Y.transact(copy, () => {
    for (const u of updates) Y.applyUpdate(copy, u);
  });
  const after = Y.snapshot(copy);
  const pendingAfter = coverage(copy.store.pendingStructs?.update) + '|' + coverage(copy.store.pendingDs ?? undefined);
  let missing: { kind: 'structs' | 'pending' | 'deletions'; detail: string } | undefined;
  if (pendingAfter !== pendingBefore)
    missing = {
      kind: 'pending',
      detail: `updates whose dependencies are missing (pending ${pendingBefore} → ${pendingAfter})`.slice(0, 500),
    };
  else if (!Y.equalSnapshots(before, after)) {
    const sv = [...after.sv].filter(([c, n]) => (before.sv.get(c) ?? 0) !== n).map(([c, n]) => `${c}: ${before.sv.get(c) ?? 0} < ${n}`);
    const ds: string[] = [];
    for (const [c, items] of after.ds.clients) {
      const had = before.ds.clients.get(c) ?? [];
      const covered = (clock: number) => had.some((d) => clock >= d.clock && clock < d.clock + d.len);
      for (const d of items) for (let k = d.clock; k < d.clock + d.len; k++) if (!covered(k)) ds.push(`${c}:${k}`);
    }
    missing =
      sv.length > 0
        ? { kind: 'structs', detail: `structs missing (${sv.slice(0, 3).join(', ')})` }
        : { kind: 'deletions', detail: `deletions missing (${ds.length}: ${ds.slice(0, 5).join(', ')})` };
  }
  copy.destroy();
  return missing;
}

/** The document a fresh client gets right after a (re)start: what the server loaded from the store. */
async function probe(port: number): Promise<Y.Doc> {
  const doc = new Y.Doc();
  ensureRoots(doc);
  const p = connect(port, doc);
  try {
    await waitFor(() => p.synced, 30_000, 'probe sync');
  } finally {
    p.destroy();
  }
  return doc;
}

async function readStored(config: {
  databaseUrl: string | undefined;
  dataDir: string;
}): Promise<{ doc: Y.Doc; rows: number; snapshot: boolean }> {
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: path.join(config.dataDir, 'pglite') });
  try {
    const snap = await db.sql.query<{ data: Uint8Array }>('SELECT "data" FROM "DocSnapshot" WHERE "debateId" = $1', [DEBATE]);
    const rows = await db.sql.query<{ data: Uint8Array }>('SELECT "data" FROM "DocUpdate" WHERE "debateId" = $1 ORDER BY "id"', [DEBATE]);
    const doc = new Y.Doc();
    ensureRoots(doc);
    for (const r of [...snap, ...rows]) Y.applyUpdate(doc, r.data);
    return { doc, rows: rows.length + snap.length, snapshot: snap.length > 0 };
  } finally {
    await db.close();
  }
}

const canonical = (doc: Y.Doc): string => {
  const g = readGraph(doc);
  return JSON.stringify({
    claims: [...g.claims].sort((a, b) => a.id.localeCompare(b.id)),
    relations: [...g.relations].sort((a, b) => a.id.localeCompare(b.id)),
  });
};

export async function runCrash(opts: CrashOptions): Promise<CrashReport> {
  const t0 = Date.now();
  const log = opts.log ?? (() => undefined);
  const random = rng(opts.seed);
  const minMs = opts.minMs ?? 300;
  const maxMs = opts.maxMs ?? 1500;
  const store: TestStore = await createStore(opts.store);
  const cfg = store.config();
  const port = await freePort();
  const server = new ServerProcess(port, {
    CRASH_DEBATES: DEBATE,
    DATABASE_URL: cfg.databaseUrl ?? '',
    CRUX_DATA_DIR: cfg.dataDir,
  });
  const report: CrashReport = {
    store: opts.store,
    kills: 0,
    sigterms: 0,
    clients: opts.clients,
    updatesSent: 0,
    updatesReceived: 0,
    containmentChecks: 0,
    storedRows: 0,
    compactedSnapshot: false,
    claims: 0,
    relations: 0,
    failures: [],
    restartMs: [],
    elapsedMs: 0,
  };
  const clients: Client[] = [];
  let editing: NodeJS.Timeout | undefined;
  try {
    await server.start();
    for (let i = 0; i < opts.clients; i++) {
      const doc = new Y.Doc();
      ensureRoots(doc);
      const c: Client = {
        name: `client${i}`,
        doc,
        provider: connect(port, doc, (u) => c.received.push(u)),
        received: [],
        sent: 0,
        random: rng(opts.seed * 1000 + i + 1),
      };
      doc.on('update', (u: Uint8Array, origin: unknown) => {
        if (origin !== c.provider) c.sent++;
      });
      clients.push(c);
    }
    await waitFor(() => clients.every((c) => c.provider.synced), 30_000, 'initial sync');
    // About 10 edits per second per client, whether or not the server is up: edits made while
    // it is down are sent on reconnect.
    const tick = () => {
      for (const c of clients) if (c.random() < 0.35) edit(c);
      editing = setTimeout(tick, 20 + Math.floor(random() * 30));
    };
    tick();

    const checkRestart = async (what: string) => {
      const received = clients.flatMap((c) => c.received);
      const t = Date.now();
      await server.start();
      report.restartMs.push(Date.now() - t);
      const loaded = await probe(port);
      report.containmentChecks += received.length;
      const missing = containsAll(loaded, received);
      if (missing) report.failures.push(`${what}: received updates missing after restart: ${missing.detail}`);
      const v = validateDoc(loaded);
      if (v.length > 0) report.failures.push(`${what}: loaded document invalid: ${JSON.stringify(v.slice(0, 3))}`);
      loaded.destroy();
      for (const c of clients) c.provider.connect();
    };

    for (let k = 1; k <= opts.kills; k++) {
      await new Promise((r) => setTimeout(r, minMs + random() * (maxMs - minMs)));
      await server.stop('SIGKILL');
      report.kills++;
      // Old clients stay away until the probe has seen what the store alone holds.
      for (const c of clients) c.provider.disconnect();
      await checkRestart(`kill ${k}`);
      if (k % 10 === 0) log(`[crash] ${k}/${opts.kills} kills, ${clients.reduce((n, c) => n + c.sent, 0)} updates sent`);
    }

    // SIGTERM while everyone is still editing: a clean exit that keeps everything accepted.
    await new Promise((r) => setTimeout(r, minMs + random() * (maxMs - minMs)));
    const code = await server.stop('SIGTERM');
    report.sigterms++;
    if (code !== 0) report.failures.push(`SIGTERM: exit code ${code}\n${server.output.slice(-2000)}`);
    for (const c of clients) c.provider.disconnect();
    await checkRestart('sigterm');

    clearTimeout(editing);
    editing = undefined;
    // Converge: everyone connected and synced, all replicas equal (what one client made reached
    // the others only through the server, so only after it was stored).
    await waitFor(
      () => {
        if (!clients.every((c) => c.provider.wsconnected && c.provider.synced)) return false;
        const sv = Y.encodeStateVector(clients[0]!.doc).toString();
        return clients.every((c) => Y.encodeStateVector(c.doc).toString() === sv);
      },
      60_000,
      'replicas to converge',
    );
    const finalCode = await server.stop('SIGTERM');
    if (finalCode !== 0) report.failures.push(`final SIGTERM: exit code ${finalCode}`);
    for (const c of clients) c.provider.destroy();

    const stored = await readStored(cfg);
    report.storedRows = stored.rows;
    report.compactedSnapshot = stored.snapshot;
    const allReceived = clients.flatMap((c) => c.received);
    const missing = containsAll(stored.doc, allReceived);
    if (missing) report.failures.push(`final: received updates missing from the store: ${missing.detail}`);
    const sv = Y.encodeStateVector(stored.doc).toString();
    const graph = canonical(stored.doc);
    for (const c of clients) {
      if (Y.encodeStateVector(c.doc).toString() !== sv) report.failures.push(`final: ${c.name}'s state vector differs from the store`);
      if (canonical(c.doc) !== graph) report.failures.push(`final: ${c.name}'s graph differs from the store`);
    }
    const v = validateDoc(stored.doc);
    if (v.length > 0) report.failures.push(`final: stored document invalid: ${JSON.stringify(v.slice(0, 3))}`);
    report.updatesSent = clients.reduce((n, c) => n + c.sent, 0);
    report.updatesReceived = allReceived.length;
    report.claims = claimsMap(stored.doc).size;
    report.relations = relationsMap(stored.doc).size;
  } finally {
    if (editing) clearTimeout(editing);
    for (const c of clients) c.provider.destroy();
    await server.stop('SIGKILL');
    await store.dispose();
    report.elapsedMs = Date.now() - t0;
  }
  return report;
}

export function formatReport(r: CrashReport): string {
  const ms = [...r.restartMs].sort((a, b) => a - b);
  const med = ms.length ? ms[Math.floor(ms.length / 2)] : NaN;
  return [
    `store ${r.store}: ${r.kills} SIGKILLs + ${r.sigterms} SIGTERM during edits, ${r.clients} clients, ${(r.elapsedMs / 1000).toFixed(1)} s`,
    `  updates sent ${r.updatesSent}, received from the server ${r.updatesReceived}, containment checks ${r.containmentChecks}`,
    `  stored: ${r.storedRows} rows (snapshot: ${r.compactedSnapshot ? 'yes' : 'no'}), ${r.claims} claims, ${r.relations} relations`,
    `  restart after SIGKILL: median ${med} ms, max ${ms[ms.length - 1] ?? NaN} ms`,
    `  failures: ${r.failures.length === 0 ? 'none' : r.failures.join('; ')}`,
  ].join('\n');
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const opt = (name: string, def: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : def;
  };
  const storeName = opt('store', 'pglite');
  if (storeName !== 'pglite' && storeName !== 'postgres') throw new Error('--store pglite|postgres');
  const report = await runCrash({
    kills: Number(opt('kills', '100')),
    clients: Number(opt('clients', '4')),
    seed: Number(opt('seed', '1')),
    store: storeName,
    log: (m) => console.log(m),
  });
  console.log(formatReport(report));
  process.exit(report.failures.length === 0 ? 0 : 1);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
