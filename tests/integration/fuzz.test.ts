import { readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { WebSocket } from 'ws';
import * as encoding from 'lib0/encoding';
import * as awarenessProtocol from 'y-protocols/awareness';
import { addClaim, claimsMap } from '../../lib/model/doc';
import { CloseCode, MAX_MESSAGE_BYTES } from '../../lib/protocol';
import type { CruxServer } from '../../server/app';
import {
  ROOT,
  connectClient,
  createDebateRow,
  createStore,
  signUp,
  startTestServer,
  storedDoc,
  synced,
  waitFor,
  type TestStore,
} from './harness';
import { rng } from '../../scripts/crash';

/*
 * Fuzzing ([harden] 3), seeded. Sync socket: FUZZ_FRAMES malformed frames over real sockets
 * (2,000 in CI; `node scripts/fuzz.mjs` sends 10,000). After each
 * frame the client pings; the server handles a socket's frames in order, so the pong (or the close
 * that comes before it) tells what that frame did. Each frame must either end the connection with
 * a named close code or leave it open (ignored or accepted: the protocol allows awareness updates,
 * auth frames and awareness queries from anyone, and a valid Yjs update is stored). An unnamed close
 * (1006, 1011, …) fails. Afterwards the server still serves a healthy client, the heap has not
 * run away, and the stored documents are what they were.
 *
 * API: every mutating route handler under app/api (found at test time) gets FUZZ_PER_ROUTE
 * malformed bodies (50 in CI; scripts/fuzz.mjs sends 1,000) with a valid session and Origin;
 * none may be answered with a 5xx or throw. Almost all get a 4xx; a body that happens to be valid
 * may succeed.
 */

const NAMED = new Set<number>(Object.values(CloseCode));
// CI sizes: the full sizes (10,000 frames, 1,000 bodies per route) take minutes on 2 cores and
// run from scripts/fuzz.mjs.
const FRAMES = Number(process.env.FUZZ_FRAMES ?? 2_000);
const PER_ROUTE = Number(process.env.FUZZ_PER_ROUTE ?? 50);
const SEED = Number(process.env.FUZZ_SEED ?? 20260);
const LANES = 4;

type Category =
  'random-bytes' | 'truncated-varint' | 'huge-length' | 'invalid-yjs' | 'invalid-schema' | 'awareness-flood' | 'oversized' | 'text';

const bytes = (r: () => number, n: number) => Uint8Array.from({ length: n }, () => Math.floor(r() * 256));
const build = (f: (e: encoding.Encoder) => void) => {
  const e = encoding.createEncoder();
  f(e);
  return encoding.toUint8Array(e);
};

/** One malformed frame (or, for floods, a burst) of a category. */
function makeFrames(r: () => number, cat: Category): (Uint8Array | string)[] {
  switch (cat) {
    case 'random-bytes':
      return [bytes(r, Math.floor(r() * 200))];
    case 'truncated-varint': {
      // A type, step or length whose continuation bit promises a byte that never comes.
      const prefix = [[], [0], [0, 2], [1], [0, 1]][Math.floor(r() * 5)]!;
      return [Uint8Array.from([...prefix, ...Array.from({ length: 1 + Math.floor(r() * 4) }, () => 0x80 | Math.floor(r() * 128))])];
    }
    case 'huge-length': {
      const type = r() < 0.7 ? 0 : 1;
      return [
        build((e) => {
          encoding.writeVarUint(e, type);
          if (type === 0) encoding.writeVarUint(e, Math.floor(r() * 3));
          encoding.writeVarUint(e, 2 ** 31 + Math.floor(r() * 2 ** 20));
          encoding.writeUint8Array(e, bytes(r, Math.floor(r() * 16)));
        }),
      ];
    }
    case 'invalid-yjs':
      return [
        build((e) => {
          encoding.writeVarUint(e, 0);
          encoding.writeVarUint(e, 1 + Math.floor(r() * 2));
          encoding.writeVarUint8Array(e, bytes(r, 1 + Math.floor(r() * 120)));
        }),
      ];
    case 'invalid-schema': {
      // Well-formed Yjs that breaks the document schema: an unknown root, a claim of an unknown
      // kind, a non-finite position, text over the limit.
      const d = new Y.Doc();
      const which = Math.floor(r() * 4);
      if (which === 0) d.getMap(`root${Math.floor(r() * 1e6)}`).set('x', 1);
      else {
        const m = new Y.Map<unknown>();
        m.set('kind', which === 1 ? 'manifesto' : 'claim');
        m.set('text', new Y.Text(which === 3 ? 'x'.repeat(2001) : 'ok'));
        m.set('x', which === 2 ? Number.POSITIVE_INFINITY : 0);
        m.set('y', 0);
        d.getMap('claims').set(`bad${Math.floor(r() * 1e9)}`, m);
      }
      const u = Y.encodeStateAsUpdate(d);
      return [
        build((e) => {
          encoding.writeVarUint(e, 0);
          encoding.writeVarUint(e, 2);
          encoding.writeVarUint8Array(e, u);
        }),
      ];
    }
    case 'awareness-flood': {
      // A burst of valid awareness updates, each with a fresh client id and a fat state: past the
      // frame budget the socket is closed as rate-limited.
      const n = 50 + Math.floor(r() * 600);
      const out: Uint8Array[] = [];
      const doc = new Y.Doc();
      const aw = new awarenessProtocol.Awareness(doc);
      for (let i = 0; i < n; i++) {
        aw.setLocalState({ user: { name: 'x'.repeat(Math.floor(r() * 2000)) }, cursor: i });
        out.push(
          build((e) => {
            encoding.writeVarUint(e, 1);
            encoding.writeVarUint8Array(e, awarenessProtocol.encodeAwarenessUpdate(aw, [doc.clientID]));
          }),
        );
      }
      aw.destroy();
      return out;
    }
    case 'oversized':
      return [new Uint8Array(MAX_MESSAGE_BYTES + 1 + Math.floor(r() * 1024))];
    case 'text':
      return [String.fromCharCode(...bytes(r, 1 + Math.floor(r() * 40)))];
  }
}

const CATEGORIES: [Category, number][] = [
  ['random-bytes', 0.3],
  ['truncated-varint', 0.15],
  ['huge-length', 0.15],
  ['invalid-yjs', 0.2],
  ['invalid-schema', 0.1],
  ['awareness-flood', 0.005],
  ['oversized', 0.002],
  ['text', 0.043],
];

function pickCategory(r: () => number): Category {
  let x = r();
  for (const [c, w] of CATEGORIES) {
    if (x < w) return c;
    x -= w;
  }
  return 'random-bytes';
}

interface Lane {
  ws: WebSocket | undefined;
  closed: { code: number } | undefined;
}

async function open(port: number, debateId: string, lane: Lane): Promise<void> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/yjs/${debateId}`);
  lane.ws = ws;
  lane.closed = undefined;
  ws.on('close', (code) => (lane.closed = { code }));
  ws.on('error', () => undefined);
  // The server's sync step 1 says the room has loaded and frames are handled at once.
  await new Promise<void>((resolve, reject) => {
    ws.once('message', () => resolve());
    ws.once('close', (code) => reject(new Error(`closed before joining: ${code}`)));
  });
}

/** Sends the frames, then a ping: the pong (or the close before it) settles what they did. */
async function sendAndSettle(lane: Lane, frames: (Uint8Array | string)[]): Promise<'open' | number> {
  const ws = lane.ws!;
  for (const f of frames) if (ws.readyState === ws.OPEN) ws.send(f);
  if (ws.readyState !== ws.OPEN) return lane.closed?.code ?? (await closedCode(ws));
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(-1), 15_000);
    ws.once('pong', () => {
      clearTimeout(t);
      resolve('open');
    });
    ws.once('close', (code) => {
      clearTimeout(t);
      resolve(code);
    });
    ws.ping();
  });
}

const closedCode = (ws: WebSocket) => new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));

describe('fuzz', () => {
  let store: TestStore;
  let server: CruxServer;
  beforeAll(async () => {
    store = await createStore('pglite');
    server = await startTestServer(store);
  }, 120_000);
  afterAll(async () => {
    await server?.close();
    await store?.dispose();
  });

  it(`${FRAMES} malformed sync frames: named close codes only, server up, heap bounded, documents unchanged`, async () => {
    const debates = Array.from({ length: LANES }, (_, i) => `fuzz${i}`);
    for (const id of debates) await createDebateRow(server, id);
    // Real content first, so "unchanged" means something.
    const writer = connectClient(server, debates[0]!);
    await synced(writer.provider);
    for (let i = 0; i < 5; i++) addClaim(writer.doc, { text: `kept ${i}`, x: i * 100, y: 0, author: 'w' });
    await waitFor(() => server.writer.stats.updates >= 5);
    writer.provider.destroy();
    const before = await Promise.all(debates.map(async (id) => Y.encodeStateAsUpdate(await storedDoc(server, id))));
    const heapBefore = process.memoryUsage().heapUsed;

    const outcomes = new Map<string, number>();
    const bad: string[] = [];
    let sent = 0;
    await Promise.all(
      debates.map(async (id, laneNo) => {
        const r = rng(SEED + laneNo);
        const lane: Lane = { ws: undefined, closed: undefined };
        const share = Math.floor(FRAMES / LANES) + (laneNo < FRAMES % LANES ? 1 : 0);
        let done = 0;
        while (done < share) {
          if (!lane.ws || lane.ws.readyState !== lane.ws.OPEN) await open(server.port, id, lane);
          const cat = pickCategory(r);
          const frames = makeFrames(r, cat).slice(0, share - done);
          done += frames.length;
          sent += frames.length;
          const res = await sendAndSettle(lane, frames);
          const key = `${cat} → ${res}`;
          outcomes.set(key, (outcomes.get(key) ?? 0) + frames.length);
          if (res !== 'open' && !NAMED.has(res)) bad.push(`${cat}: close ${res}`);
        }
        lane.ws?.terminate();
      }),
    );
    const heapAfter = process.memoryUsage().heapUsed;
    console.log(
      `[fuzz] ${sent} frames; heap ${(heapBefore / 2 ** 20).toFixed(1)} → ${(heapAfter / 2 ** 20).toFixed(1)} MB; outcomes:\n` +
        [...outcomes]
          .sort()
          .map(([k, n]) => `  ${k}: ${n}`)
          .join('\n'),
    );
    expect(sent).toBe(FRAMES);
    expect(bad.slice(0, 10)).toEqual([]);
    // Shared with the rest of the test process (and no forced GC), hence generous.
    expect(heapAfter - heapBefore).toBeLessThan(256 * 2 ** 20);

    // Still up, still syncing, and nothing stored changed.
    const healthy = connectClient(server, debates[0]!);
    await synced(healthy.provider);
    expect(claimsMap(healthy.doc).size).toBe(5);
    healthy.provider.destroy();
    await waitFor(() => server.writer.pending === 0);
    const after = await Promise.all(debates.map(async (id) => Y.encodeStateAsUpdate(await storedDoc(server, id))));
    expect(after).toEqual(before);
  }, 900_000);

  it(`${PER_ROUTE} malformed bodies per mutating API route: never a 5xx`, async () => {
    const routes = findRoutes(path.join(ROOT, 'app', 'api'));
    expect(routes.length).toBeGreaterThan(10);
    const r = rng(SEED * 7);
    const ORIGIN = 'http://crux.test';
    /**
     * Writes are rate limited per person (a 429 is a fine answer, but it would stop the fuzzer
     * from reaching the parsers), so a fresh account, with its own debate and team to own,
     * takes over every 100 requests.
     */
    let actor: { cookie: string; userId: string; debateId: string; teamId: string } | undefined;
    let used = 0;
    let n = 0;
    const nextActor = async () => {
      n++;
      const { cookie, userId } = await signUp(server, `Fuzzer ${n}`, `fuzz${n}-${SEED}@example.org`);
      const { createDebateAs } = await import('../../server/services/debates');
      const { createTeam } = await import('../../server/services/members');
      const { getRuntime } = await import('../../server/runtime');
      const me = { id: userId, name: `Fuzzer ${n}` };
      const debateId = (await createDebateAs(getRuntime(), userId, me, { title: `fuzzed ${n}` })).id;
      const team = await createTeam(server.db.prisma, me, { name: `team ${n}` });
      actor = { cookie, userId, debateId, teamId: team.id };
      used = 0;
    };
    const statuses = new Map<string, Map<number, number>>();
    const fails: string[] = [];
    const t0 = Date.now();
    for (const route of routes) {
      const mod = (await import(route.file)) as Record<string, unknown>;
      for (const method of ['POST', 'PUT', 'PATCH', 'DELETE'] as const) {
        const handler = mod[method] as
          ((req: Request, ctx: { params: Promise<Record<string, string | string[]>> }) => Promise<Response>) | undefined;
        if (typeof handler !== 'function') continue;
        const label = `${method} ${route.path}`;
        const counts = new Map<number, number>();
        statuses.set(label, counts);
        const run = async (i: number) => {
          if (!actor || used >= 100) await nextActor();
          used++;
          const a = actor!;
          const params: Record<string, string | string[]> = {};
          for (const p of route.params)
            params[p] =
              p === 'all'
                ? ['sign-in', 'email']
                : p === 'id'
                  ? route.path.startsWith('/api/teams')
                    ? a.teamId
                    : a.debateId
                  : p === 'userId' && i % 2 === 0
                    ? a.userId
                    : randomId(r);
          const urlPath = route.path.replace(/\[\.\.\.(\w+)\]|\[(\w+)\]/g, (_m, rest: string, one: string) =>
            rest ? (params[rest] as string[]).join('/') : encodeURIComponent(params[one] as string),
          );
          const { body, type } = randomBody(r);
          const req = new Request(`${ORIGIN}${urlPath}`, {
            method,
            headers: { origin: ORIGIN, cookie: a.cookie, ...(type ? { 'content-type': type } : {}) },
            body: body as BodyInit | undefined,
          });
          let status: number;
          try {
            status = (await handler(req, { params: Promise.resolve(params) })).status;
          } catch (e) {
            status = 599;
            fails.push(`${label}: threw ${e instanceof Error ? e.message : String(e)}`);
          }
          counts.set(status, (counts.get(status) ?? 0) + 1);
          // A DELETE that went through removed the actor's debate or team: start over with a
          // fresh one, or every later request would stop at a 404.
          if (method === 'DELETE' && status < 300) actor = undefined;
          // A body that happens to be valid may succeed (a DELETE needs none; plain text is a valid
          // import); what must never happen is a 5xx or a throw.
          if (status >= 500)
            fails.push(`${label}: ${status} for ${typeof body === 'string' ? body.slice(0, 80) : `${body?.byteLength} bytes`}`);
        };
        for (let i = 0; i < PER_ROUTE; i++) await run(i);
      }
    }
    console.log(
      `[fuzz] ${[...statuses.values()].reduce((s, m) => s + [...m.values()].reduce((a, b) => a + b, 0), 0)} bodies over ${statuses.size} handlers in ${((Date.now() - t0) / 1000).toFixed(1)} s\n` +
        [...statuses]
          .map(
            ([k, m]) =>
              `  ${k}: ${[...m]
                .sort((x, y) => x[0] - y[0])
                .map(([s, c]) => `${s}×${c}`)
                .join(' ')}`,
          )
          .join('\n'),
    );
    expect(fails.slice(0, 20)).toEqual([]);
    // Still serving.
    const res = await fetch(`${server.url}/nothing-here`);
    expect(res.status).toBe(404);
  }, 3_600_000);
});

interface RouteFile {
  file: string;
  path: string;
  params: string[];
}

/** Every route.ts under app/api, with its URL pattern and dynamic segments. */
export function findRoutes(dir: string, base = '/api'): RouteFile[] {
  const out: RouteFile[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...findRoutes(full, `${base}/${e.name}`));
    else if (e.name === 'route.ts')
      out.push({ file: full, path: base, params: [...base.matchAll(/\[(?:\.\.\.)?(\w+)\]/g)].map((m) => m[1]!) });
  }
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

function randomId(r: () => number): string {
  const picks = ['', 'x', '../etc', 'a'.repeat(300), '%00', 'id with space', '0', '-1', '9'.repeat(40), 'ok_id-1'];
  return r() < 0.5 ? picks[Math.floor(r() * picks.length)]! : Math.floor(r() * 1e12).toString(36);
}

const FIELDS = [
  'text',
  'title',
  'name',
  'email',
  'password',
  'url',
  'quote',
  'claimId',
  'sourceId',
  'stance',
  'role',
  'visibility',
  'kind',
  'value',
  'rating',
  'locked',
  'hidden',
  'userId',
  'teamId',
  'token',
  'expiresInDays',
  'maxUses',
  'note',
  'reason',
  'agreement',
  'impact',
  'format',
  'content',
  'phase',
  'newOwnerId',
  '__proto__',
  'constructor',
];

function randomValue(r: () => number, depth = 0): unknown {
  const x = r();
  if (x < 0.12) return Math.floor(r() * 2e9) - 1e9;
  if (x < 0.18) return r() < 0.5 ? 1e308 * 10 : -0;
  if (x < 0.3) return 'x'.repeat(Math.floor(r() * 5000));
  if (x < 0.38)
    return ['javascript:alert(1)', '<img src=x onerror=alert(1)>', '\u0000', '\ud800', 'http://', 'owner', 'public', ''][
      Math.floor(r() * 8)
    ];
  if (x < 0.45) return null;
  if (x < 0.52) return r() < 0.5;
  if (x < 0.62 && depth < 4) return Array.from({ length: Math.floor(r() * 5) }, () => randomValue(r, depth + 1));
  if (x < 0.75 && depth < 4) return randomObject(r, depth + 1);
  return String.fromCharCode(...Array.from({ length: Math.floor(r() * 30) }, () => Math.floor(r() * 0xffff)));
}

function randomObject(r: () => number, depth = 0): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  const n = Math.floor(r() * 6);
  for (let i = 0; i < n; i++) o[FIELDS[Math.floor(r() * FIELDS.length)]!] = randomValue(r, depth);
  return o;
}

function randomBody(r: () => number): { body: string | Uint8Array | undefined; type: string | undefined } {
  const x = r();
  if (x < 0.45) return { body: JSON.stringify(randomObject(r)), type: 'application/json' };
  if (x < 0.55) return { body: JSON.stringify(randomValue(r)), type: 'application/json' };
  if (x < 0.65) {
    const s = JSON.stringify(randomObject(r));
    return { body: s.slice(0, Math.floor(r() * s.length)), type: 'application/json' };
  }
  if (x < 0.75) return { body: bytes(r, Math.floor(r() * 300)), type: r() < 0.5 ? 'application/json' : 'application/octet-stream' };
  if (x < 0.8) return { body: JSON.stringify({ text: 'y'.repeat(300 * 1024) }), type: 'application/json' };
  if (x < 0.85) return { body: undefined, type: undefined };
  if (x < 0.9) return { body: '{"a":'.repeat(5000), type: 'application/json' };
  if (x < 0.95) return { body: 'name=x&text=y', type: 'application/x-www-form-urlencoded' };
  return { body: JSON.stringify(randomObject(r)), type: 'text/plain' };
}
