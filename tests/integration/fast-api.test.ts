import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CruxServer } from '../../server/app';
import type { ErrorBody } from '../../server/http/errors';
import { MAX_JSON_BYTES } from '../../server/http/errors';
import { GZIP_FROM_BYTES } from '../../server/http/fast';
import { DATA_CSP } from '../../server/http/security';
import * as votesRoute from '../../app/api/debates/[id]/votes/route';
import { STORES, TEST_ORIGIN, callOverHttp, createDebateRow, createStore, joinGuest, startTestServer, type TestStore } from './harness';

/*
 * The server answers PUT/GET/DELETE /api/debates/[id]/votes itself, before Next
 * (server/http/fast.ts). votes.test.ts runs every vote test through both ways in; this file
 * covers what only raw HTTP can send (malformed paths and bodies, chunked bodies, foreign
 * origins) and what must still go on to Next. Each bad request is also sent to the Next route
 * handler, and both must answer alike.
 */

const DEBATE = 'fast-api';

type Case = {
  name: string;
  method: 'GET' | 'PUT' | 'DELETE';
  /** The raw path segment for the debate id (percent-encoded as sent). */
  rawId?: string;
  query?: string;
  body?: string;
  headers?: Record<string, string>;
  status: number;
  field?: string;
};

describe.each(STORES)('the fast path for votes (%s)', (storeName) => {
  let store: TestStore;
  let server: CruxServer;
  let guest: { cookie: string; userId: string };

  beforeAll(async () => {
    store = await createStore(storeName);
    server = await startTestServer(store);
    await createDebateRow(server, DEBATE);
    guest = await joinGuest(server, 'Fay');
  });
  afterAll(async () => {
    await server?.close();
    await store?.dispose();
  });

  /** The same request to the Next route handler, as Next would build it. */
  async function viaRoute(c: Case, cookie: string | undefined): Promise<Response> {
    const id = decodeURIComponent(c.rawId ?? DEBATE);
    const req = new Request(`${TEST_ORIGIN}/api/debates/${c.rawId ?? DEBATE}/votes${c.query ? `?${c.query}` : ''}`, {
      method: c.method,
      headers: {
        ...(c.method === 'GET' ? {} : { origin: TEST_ORIGIN }),
        ...(c.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(cookie ? { cookie } : {}),
        ...(c.headers?.origin ? { origin: c.headers.origin } : {}),
      },
      body: c.body,
    });
    return votesRoute[c.method](req, { params: Promise.resolve({ id }) });
  }

  const cases: Case[] = [
    { name: 'a body that is not JSON', method: 'PUT', body: '{"targetKind":', status: 400, field: '(body)' },
    {
      name: 'a body that fails the schema',
      method: 'PUT',
      body: '{"targetKind":"claim","targetId":"x","value":9}',
      status: 400,
      field: 'value',
    },
    {
      name: 'a NUL in the body',
      method: 'PUT',
      body: '{"targetKind":"claim","targetId":"a\\u0000b","value":1}',
      status: 400,
      field: 'targetId',
    },
    { name: 'a NUL in the path', method: 'GET', rawId: 'a%00b', status: 400, field: 'id' },
    { name: 'a lone surrogate in the query', method: 'DELETE', query: 'targetKind=claim&targetId=%ED%A0%80', status: 400 },
    { name: 'a debate that does not exist', method: 'GET', rawId: 'nope', status: 404 },
    { name: 'a body past the limit', method: 'PUT', body: `{"pad":"${'x'.repeat(MAX_JSON_BYTES)}"}`, status: 413 },
    { name: 'a write from another site', method: 'PUT', body: '{}', headers: { origin: 'http://evil.example' }, status: 403 },
  ];

  it.each(cases)('answers $name as the route handler does ($status)', async (c) => {
    const viaHttp = await callOverHttp(server, `/api/debates/${c.rawId ?? DEBATE}/votes`, {
      method: c.method,
      query: c.query,
      body: c.body,
      cookie: guest.cookie,
      headers: c.headers,
    });
    const routed = await viaRoute(c, guest.cookie);
    const [a, b] = [(await viaHttp.json()) as ErrorBody, (await routed.json()) as ErrorBody];
    expect(viaHttp.status, JSON.stringify(a)).toBe(c.status);
    expect(routed.status).toBe(c.status);
    expect(a).toEqual(b);
    if (c.field) expect(a.error.fields?.map((f) => f.field)).toContain(c.field);
    expect(viaHttp.headers.get('content-type')).toBe('application/json');
    // The headers every response carries (server/http/security.ts).
    expect(viaHttp.headers.get('x-content-type-options')).toBe('nosniff');
    expect(viaHttp.headers.get('x-frame-options')).toBe('DENY');
    expect(viaHttp.headers.get('content-security-policy')).toBe(DATA_CSP);
  });

  it('a write without Origin passes with Sec-Fetch-Site: same-origin, and is refused without either', async () => {
    const send = (headers: Record<string, string>) =>
      fetch(`${server.url}/api/debates/${DEBATE}/votes`, { method: 'PUT', headers: { cookie: guest.cookie, ...headers }, body: '{}' });
    expect((await send({ 'sec-fetch-site': 'same-origin' })).status).toBe(400);
    expect((await send({})).status).toBe(403);
  });

  it('a chunked body past the limit is refused with 413, and the connection then serves the next request', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const request = (method: string, body?: Buffer) =>
      new Promise<{ status: number; text: string; socket: unknown }>((resolve, reject) => {
        const req = http.request(
          `${server.url}/api/debates/${DEBATE}/votes`,
          { method, agent, headers: { origin: new URL(server.url).origin, cookie: guest.cookie } },
          (res) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (c: string) => (text += c));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, text, socket: req.socket }));
          },
        );
        req.on('error', reject);
        // No Content-Length: node:http sends the body chunked, so only reading it finds the size.
        if (body) for (let i = 0; i < body.length; i += 64 * 1024) req.write(body.subarray(i, i + 64 * 1024));
        req.end();
      });
    try {
      const big = await request('PUT', Buffer.alloc(MAX_JSON_BYTES + 1024, 'x'));
      expect(big.status).toBe(413);
      expect((JSON.parse(big.text) as ErrorBody).error.code).toBe('payload_too_large');
      const next = await request('GET');
      expect(next.status).toBe(200);
      expect(JSON.parse(next.text)).toMatchObject({ tallies: [] });
      expect(next.socket, 'the same keep-alive connection').toBe(big.socket);
    } finally {
      agent.destroy();
    }
  });

  it('a vote over HTTP is stored and answered with its tally', async () => {
    // The document has no claims, so the target is unknown: 422 naming targetId, nothing stored.
    const res = await callOverHttp(server, `/api/debates/${DEBATE}/votes`, {
      method: 'PUT',
      body: { targetKind: 'claim', targetId: 'missing', value: 2 },
      cookie: guest.cookie,
    });
    expect(res.status).toBe(422);
    expect(((await res.json()) as ErrorBody).error.fields?.[0]?.field).toBe('targetId');
    expect(await server.db.prisma.vote.count({ where: { debateId: DEBATE } })).toBe(0);
  });

  it('gzips a large answer for a client that accepts it, as Next does, and leaves a small one as it is', async () => {
    // Thirty targets' tallies: past GZIP_FROM_BYTES.
    await server.db.sql.query(
      `INSERT INTO "Vote" ("id", "debateId", "targetKind", "targetId", "userKey", "value")
       SELECT 'gz' || g, $1, 'claim', 'claim-' || g, 'someone', g % 5 FROM generate_series(1, 30) g`,
      [DEBATE],
    );
    try {
      const path = `/api/debates/${DEBATE}/votes`;
      const zipped = await callOverHttp(server, path, { headers: { 'accept-encoding': 'gzip' } });
      expect(zipped.headers.get('content-encoding')).toBe('gzip');
      const body = (await zipped.json()) as { tallies: unknown[] };
      expect(body.tallies).toHaveLength(30);
      expect(JSON.stringify(body).length).toBeGreaterThanOrEqual(GZIP_FROM_BYTES);
      const plain = await callOverHttp(server, path, { headers: { 'accept-encoding': 'identity' } });
      expect(plain.headers.get('content-encoding')).toBeNull();
      expect(await plain.json()).toEqual(body);
      // Quality values (RFC 9110 §12.5.3): q=0 refuses an encoding, and "*" stands for any not named.
      for (const [accept, gzipped] of [
        ['gzip;q=0', false],
        ['identity, gzip; q=0.0', false],
        ['gzip;q=0, *', false],
        ['br;q=1, *;q=0.5', true],
        ['GZIP;Q=0.3, identity', true],
        ['*;q=0', false],
      ] as const) {
        const res = await callOverHttp(server, path, { headers: { 'accept-encoding': accept } });
        expect(res.headers.get('content-encoding'), accept).toBe(gzipped ? 'gzip' : null);
        expect(await res.json()).toEqual(body);
      }
      const small = await callOverHttp(server, `/api/debates/nope/votes`, { headers: { 'accept-encoding': 'gzip' } });
      expect(small.status).toBe(404);
      expect(small.headers.get('content-encoding')).toBeNull();
    } finally {
      await server.db.sql.query(`DELETE FROM "Vote" WHERE "debateId" = $1`, [DEBATE]);
    }
  });

  it('leaves everything else to Next: other methods, a trailing slash, a path that does not decode, other routes', async () => {
    // With Next off, the test server answers what reaches Next with a plain-text 404.
    for (const [method, path] of [
      ['POST', `/api/debates/${DEBATE}/votes`],
      ['HEAD', `/api/debates/${DEBATE}/votes`],
      ['GET', `/api/debates/${DEBATE}/votes/`],
      ['GET', `/api/debates/%E0%A4%A/votes`],
      ['GET', `/api/debates/${DEBATE}/strength`],
    ] as const) {
      const res = await fetch(`${server.url}${path}`, { method, headers: { origin: new URL(server.url).origin } });
      expect(res.status, `${method} ${path}`).toBe(404);
      if (method !== 'HEAD') expect(await res.text()).toBe('not found');
    }
  });
});
