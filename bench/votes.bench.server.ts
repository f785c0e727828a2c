/*
 * The Crux side of bench/votes.bench.mjs: startServer() from server/app.ts (Next off) on the
 * Postgres database the orchestrator created (argument: its URL) and a debate of CLAIMS claims.
 * Votes go to that server itself: it answers PUT /api/debates/[id]/votes before Next, exactly
 * as under `npm start` (server/http/fast.ts). A second HTTP front serves what the bench needs
 * besides: guests joining through the real route handlers (app/api/…/route.ts, as Fetch
 * Requests), and castVote() alone (no session, no access check) for the decomposition row.
 * Prints one line `READY <json>` on stdout when it can take requests; exits on SIGTERM.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import * as Y from 'yjs';
import { addClaim, addRelation } from '../lib/model/doc';
import { startServer } from '../server/app';
import { stampClientIp } from '../server/access/clientIp';
import { readProjectedClaims, writeProjection } from '../server/projection/claims';
import * as authRoute from '../app/api/auth/[...all]/route';
import * as guestRoute from '../app/api/account/guest/route';
import { castVote } from '../server/services/votes';
import { castVoteSchema } from '../lib/schemas/votes';

const ROOT = path.resolve(import.meta.dirname, '..');
const url = process.argv[2];
const CLAIMS = Number(process.argv[3] ?? 100);
if (!url) throw new Error('usage: votes.bench.server.ts <postgres url> [claims]');

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
    databaseUrl: url,
    dataDir: '/nonexistent',
  },
});

/** A thesis and CLAIMS − 1 claims supporting it, stored and projected as the server would. */
const DEBATE = 'bench-votes';
const doc = new Y.Doc();
const claimIds = Array.from({ length: CLAIMS }, (_, i) => `c${i}`);
addClaim(doc, { id: claimIds[0]!, text: 'Thesis', kind: 'thesis', x: 0, y: 0, author: 'bench', now: 1 });
for (const [i, id] of claimIds.slice(1).entries()) {
  addClaim(doc, { id, text: `Claim ${i}`, x: i * 10, y: 100, author: 'bench', now: i + 2 });
  addRelation(doc, { id: `r${i}`, from: id, to: claimIds[0]!, kind: i % 3 ? 'supports' : 'attacks', author: 'bench' });
}
await server.db.prisma.debate.create({ data: { id: DEBATE, title: 'Votes bench' } });
await server.db.sql.transaction((tx) => writeProjection(tx, DEBATE, readProjectedClaims(doc)));
await server.db.prisma.docSnapshot.create({ data: { debateId: DEBATE, data: new Uint8Array(Y.encodeStateAsUpdate(doc)) } });
doc.destroy();

/** Bench only, not a Crux route: castVote() straight from HTTP, to split the cost of a vote. */
const SERVICE_PATH = '/bench/vote-service';

type Handler = (req: Request, ctx: { params: Promise<Record<string, string | string[]>> }) => Promise<Response>;

function routeOf(method: string, pathname: string): { handler: Handler; params: Record<string, string | string[]> } | null {
  if (pathname.startsWith('/api/auth/'))
    return method === 'POST' || method === 'GET'
      ? { handler: authRoute[method] as Handler, params: { all: pathname.slice('/api/auth/'.length).split('/') } }
      : null;
  if (pathname === '/api/account/guest' && method === 'POST') return { handler: guestRoute.POST as Handler, params: {} };
  return null;
}

const front = http.createServer((req, res) => {
  // Each bench user comes from its own address (X-Forwarded-For), as many real voters would.
  stampClientIp(req, true);
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    void (async () => {
      const u = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`);
      if (u.pathname === SERVICE_PATH) {
        // The decomposition side: the same vote service, behind no session or access check.
        const input = castVoteSchema.parse(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        const result = await castVote(server, DEBATE, String(req.headers['x-bench-user']), input);
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result));
        return;
      }
      const r = routeOf(req.method ?? 'GET', u.pathname);
      if (!r) {
        res.writeHead(404).end();
        return;
      }
      const headers = new Headers();
      for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
      const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
      const request = new Request(u, { method: req.method, headers, body: hasBody ? Buffer.concat(chunks) : undefined });
      const response = await r.handler(request, { params: Promise.resolve(r.params) });
      const out: Record<string, string | string[]> = {};
      response.headers.forEach((v, k) => {
        if (k !== 'set-cookie') out[k] = v;
      });
      const cookies = response.headers.getSetCookie();
      if (cookies.length) out['set-cookie'] = cookies;
      res.writeHead(response.status, out);
      res.end(Buffer.from(await response.arrayBuffer()));
    })().catch((e: unknown) => {
      console.error('[bench-front]', e);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
});
await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));

process.on('SIGTERM', () => {
  front.close();
  void server.close().finally(() => process.exit(0));
});

console.log(
  `READY ${JSON.stringify({ port: (front.address() as AddressInfo).port, appPort: server.port, debateId: DEBATE, claimIds, servicePath: SERVICE_PATH })}`,
);
