import { afterAll, beforeAll, expect } from 'vitest';
import { mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import * as Y from 'yjs';
import { WebSocket } from 'ws';
import { WebsocketProvider } from 'y-websocket';
import { startServer, type CruxServer, type StartOptions } from '../../server/app';
import type { Config } from '../../server/config';
import { addClaim, ensureRoots, readGraph } from '../../lib/model/doc';
import type { ArgumentGraph } from '../../lib/model/graph';

export const ROOT = path.resolve(import.meta.dirname, '..', '..');

/** A store the suites run against: PGlite always, Postgres when DATABASE_URL is set. */
export interface TestStore {
  name: 'pglite' | 'postgres';
  /** Settings for a server that should see this store's data. */
  config(): Pick<Config, 'databaseUrl' | 'dataDir'>;
  dispose(): Promise<void>;
}

const pgAdminUrl = process.env.DATABASE_URL;

let template: Promise<Blob> | undefined;
/**
 * initdb inside PGlite takes several seconds; loading a dump of a fresh cluster takes a fraction
 * of that. The dump is cached in the temp dir, keyed by the PGlite version, and shared by every
 * worker and run.
 */
function pgliteTemplate(): Promise<Blob> {
  return (template ??= (async () => {
    const version = JSON.parse(await readFile(path.join(ROOT, 'node_modules', '@electric-sql', 'pglite', 'package.json'), 'utf8'))
      .version as string;
    const file = path.join(os.tmpdir(), `crux-pglite-template-${version}.tar.gz`);
    if (existsSync(file)) return new Blob([await readFile(file)]);
    const dir = await mkdtemp(path.join(os.tmpdir(), 'crux-tpl-'));
    const db = await PGlite.create(path.join(dir, 'pglite'));
    const dump = await db.dumpDataDir('gzip');
    await db.close();
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, new Uint8Array(await dump.arrayBuffer()));
    await rename(tmp, file);
    await rm(dir, { recursive: true, force: true });
    return dump;
  })());
}

/**
 * A fresh, empty database per call: a temp directory for PGlite, a new database on the Postgres
 * server (dropped by dispose; we only ever drop databases we created).
 */
export async function createStore(name: 'pglite' | 'postgres'): Promise<TestStore> {
  if (name === 'pglite') {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'crux-test-'));
    const db = await PGlite.create(path.join(dir, 'pglite'), { loadDataDir: await pgliteTemplate() });
    await db.close();
    return { name, config: () => ({ databaseUrl: undefined, dataDir: dir }), dispose: () => rm(dir, { recursive: true, force: true }) };
  }
  if (!pgAdminUrl) throw new Error('DATABASE_URL is not set');
  const dbName = `crux_t_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const admin = new pg.Client({ connectionString: pgAdminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${dbName}"`);
  await admin.end();
  const u = new URL(pgAdminUrl);
  u.pathname = `/${dbName}`;
  const url = u.toString();
  return {
    name,
    config: () => ({ databaseUrl: url, dataDir: path.join(os.tmpdir(), 'crux-unused') }),
    dispose: async () => {
      const a = new pg.Client({ connectionString: pgAdminUrl });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
      await a.end();
    },
  };
}

/** The stores every storage-touching suite runs against. */
export const STORES: ('pglite' | 'postgres')[] = pgAdminUrl ? ['pglite', 'postgres'] : ['pglite'];

export function testConfig(store: TestStore, over: Partial<Config> = {}): Config {
  return {
    port: 0, // a free port, so suites can run in parallel
    host: '127.0.0.1',
    dev: false,
    seed: false,
    rootDir: ROOT,
    publicUrl: undefined,
    ...store.config(),
    ...over,
  };
}

export async function startTestServer(store: TestStore, opts: Partial<StartOptions> = {}, over: Partial<Config> = {}): Promise<CruxServer> {
  return startServer({ next: false, log: () => undefined, ...opts, config: testConfig(store, over) });
}

/**
 * For the enclosing describe block: a fresh store of this kind and a server on it, made in
 * beforeAll, then closed and dropped in afterAll. `server` can be read inside hooks and tests.
 */
export function serverPerSuite(name: 'pglite' | 'postgres'): { readonly server: CruxServer } {
  let store: TestStore | undefined;
  let server: CruxServer | undefined;
  beforeAll(async () => {
    store = await createStore(name);
    server = await startTestServer(store);
  });
  afterAll(async () => {
    await server?.close();
    await store?.dispose();
  });
  return {
    get server(): CruxServer {
      if (!server) throw new Error('the suite server exists only inside its hooks and tests');
      return server;
    },
  };
}

export async function createDebateRow(server: CruxServer, id: string, title = 'Test debate'): Promise<void> {
  await server.db.prisma.debate.create({ data: { id, title } });
}

/** A `ws` WebSocket that sends these headers (a session cookie) with its handshake, as a browser would. */
export function socketWithHeaders(headers: Record<string, string>): typeof WebSocket {
  return class extends WebSocket {
    constructor(url: string | URL | null, protocols?: string | string[]) {
      super(url!, protocols, { headers });
    }
  } as typeof WebSocket;
}

/**
 * A stock y-websocket client in Node, exactly as a third party would use it; `cookie` signs it
 * in (see signUp / joinGuest), `params` adds query parameters (e.g. an invite).
 */
export function connectClient(
  server: CruxServer,
  debateId: string,
  doc = new Y.Doc(),
  opts: { cookie?: string; params?: Record<string, string> } = {},
): { doc: Y.Doc; provider: WebsocketProvider } {
  const WS = opts.cookie ? socketWithHeaders({ cookie: opts.cookie }) : WebSocket;
  const provider = new WebsocketProvider(`ws://127.0.0.1:${server.port}/yjs`, debateId, doc, {
    WebSocketPolyfill: WS as unknown as typeof globalThis.WebSocket,
    disableBc: true,
    ...(opts.params ? { params: opts.params } : {}),
  });
  return { doc, provider };
}

/** The `name=value` of the session cookie a response sets (what a browser would send back). */
export function sessionCookie(res: Response): string {
  const c = res.headers.getSetCookie().find((h) => /^(__Secure-)?crux\.session_token=/.test(h));
  if (!c) throw new Error(`no session cookie in response ${res.status}`);
  return c.split(';')[0]!;
}

/** Creates an account through better-auth (as POST /api/auth/sign-up/email does) and returns its session cookie. */
export async function signUp(
  server: CruxServer,
  name: string,
  email: string,
  password = 'correct horse battery staple',
): Promise<{ cookie: string; userId: string }> {
  void server; // the runtime it installed is what getAuth() reads
  const { getAuth } = await import('../../server/auth/auth');
  const auth = await getAuth();
  const res = await auth.api.signUpEmail({ body: { name, email, password }, asResponse: true });
  if (!res.ok) throw new Error(`sign-up failed: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { user: { id: string } };
  return { cookie: sessionCookie(res), userId: body.user.id };
}

/** Joins as a guest (display name only) and returns the guest's session cookie. */
export async function joinGuest(server: CruxServer, name: string): Promise<{ cookie: string; userId: string }> {
  void server;
  const { joinAsGuest } = await import('../../server/auth/guest');
  const { user, headers } = await joinAsGuest(name, `198.51.100.${Math.floor(Math.random() * 250) + 1}`);
  const res = new Response(null, { headers });
  return { cookie: sessionCookie(res), userId: user.id };
}

export function waitFor(cond: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const tick = () => {
      if (cond()) return resolve();
      if (Date.now() - t0 > timeoutMs) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(tick, 10);
    };
    tick();
  });
}

/** Polls an async condition (e.g. a database read) until it holds. */
export async function waitForAsync(cond: () => Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const t0 = Date.now();
  while (!(await cond())) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Counts the transactions the server opens on its database (store loads, projection passes)
 * from now until `restore()`: how tests see that work was skipped. `reset()` starts again at 0.
 */
export function countTransactions(server: CruxServer): { readonly count: number; reset(): void; restore(): void } {
  const sql = server.db.sql;
  const original = sql.transaction;
  let count = 0;
  sql.transaction = ((work: Parameters<typeof original>[0]) => {
    count++;
    return original.call(sql, work);
  }) as typeof sql.transaction;
  return {
    get count() {
      return count;
    },
    reset: () => void (count = 0),
    restore: () => void (sql.transaction = original),
  };
}

export const synced = (p: WebsocketProvider) => waitFor(() => p.synced, 10_000, 'provider sync');

/** `n` updates, each adding one claim `${tag}${i}`: a client's edits, as the store receives them. */
export function claimEdits(n: number, tag: string): Uint8Array[] {
  const doc = new Y.Doc();
  ensureRoots(doc);
  const out: Uint8Array[] = [];
  doc.on('update', (u: Uint8Array) => out.push(u));
  for (let i = 0; i < n; i++) addClaim(doc, { id: `${tag}${i}`, text: `${tag} ${i}`, x: i, y: 0, author: 't' });
  return out;
}

/** Reads a debate's stored document straight from the tables, as a fresh load would. */
export async function storedDoc(server: CruxServer, debateId: string): Promise<Y.Doc> {
  const doc = new Y.Doc();
  const snap = await server.db.sql.query<{ data: Uint8Array }>('SELECT "data" FROM "DocSnapshot" WHERE "debateId" = $1', [debateId]);
  const rows = await server.db.sql.query<{ data: Uint8Array }>('SELECT "data" FROM "DocUpdate" WHERE "debateId" = $1 ORDER BY "id"', [
    debateId,
  ]);
  for (const r of [...snap, ...rows]) Y.applyUpdate(doc, r.data);
  return doc;
}

/** The graph with claims and relations sorted by id: Y.Map iteration order differs across replicas. */
export function canonicalGraph(doc: Y.Doc): ArgumentGraph {
  const g = readGraph(doc);
  return {
    claims: [...g.claims].sort((a, b) => a.id.localeCompare(b.id)),
    relations: [...g.relations].sort((a, b) => a.id.localeCompare(b.id)),
  };
}

/** The Origin the route-level tests pretend to be (the test server trusts it: no publicUrl). */
export const TEST_ORIGIN = 'http://crux.test';

type DebateRouteHandler = (req: Request, ctx: { params: Promise<{ id: string }> }) => Promise<Response>;

type CallOptions = { method?: string; query?: string; body?: unknown; cookie?: string; headers?: Record<string, string> };

/**
 * What a browser's same-origin fetch sends: a JSON body (a string is sent as it is), the session
 * cookie, and an Origin header on writes (writes from other origins are refused).
 */
function browserInit(origin: string, opts: CallOptions): RequestInit {
  const method = opts.method ?? 'GET';
  return {
    method,
    headers: {
      ...(opts.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(method === 'GET' ? {} : { origin }),
      ...(opts.cookie ? { cookie: opts.cookie } : {}),
      ...opts.headers,
    },
    body: opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body),
  };
}

/** Calls a debate route handler (app/api/debates/[id]/…) directly, as the browser would through Next. */
export function callDebateRoute(
  handler: DebateRouteHandler,
  debateId: string,
  opts: { method?: string; query?: string; body?: unknown; cookie?: string } = {},
): Promise<Response> {
  // An object body, always: a string would be sent as it is by browserInit, not as JSON.
  const body = typeof opts.body === 'string' ? JSON.stringify(opts.body) : opts.body;
  const req = new Request(
    `${TEST_ORIGIN}/api/debates/${debateId}/x${opts.query ? `?${opts.query}` : ''}`,
    browserInit(TEST_ORIGIN, { ...opts, body }),
  );
  return handler(req, { params: Promise.resolve({ id: debateId }) });
}

/**
 * The same request as callDebateRoute, sent over HTTP to the test server, which answers the hot
 * routes itself before Next (server/http/fast.ts), with the server's own origin on writes.
 */
export function callOverHttp(server: { url: string }, path: string, opts: CallOptions = {}): Promise<Response> {
  return fetch(`${server.url}${path}${opts.query ? `?${opts.query}` : ''}`, browserInit(new URL(server.url).origin, opts));
}

/** The response's JSON body (null for a 204), checking its status when one is given. */
export async function expectJson<T>(res: Response | Promise<Response>, status?: number): Promise<T> {
  const r = await res;
  const body = r.status === 204 ? null : ((await r.json()) as T);
  if (status !== undefined) expect(r.status, JSON.stringify(body).slice(0, 500)).toBe(status);
  return body as T;
}

/** Reads a text/event-stream body, collecting each `data:` payload with its arrival time. */
export function readEvents(body: ReadableStream<Uint8Array>) {
  const events: { at: number; data: { topic: string } }[] = [];
  const reader = body.getReader();
  const dec = new TextDecoder();
  let buf = '';
  let raw = '';
  const done = (async () => {
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true as const }));
      if (done) return;
      const chunk = dec.decode(value, { stream: true });
      raw += chunk;
      buf += chunk;
      let i: number;
      while ((i = buf.indexOf('\n\n')) !== -1) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        for (const line of block.split('\n'))
          if (line.startsWith('data: ')) events.push({ at: performance.now(), data: JSON.parse(line.slice(6)) });
      }
    }
  })();
  return { events, topics: () => events.map((e) => e.data.topic), done, raw: () => raw };
}
