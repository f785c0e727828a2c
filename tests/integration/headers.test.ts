import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CruxServer } from '../../server/app';
import * as guestRoute from '../../app/api/account/guest/route';
import { DATA_CSP } from '../../server/http/security';
import { createStore, startTestServer, type TestStore } from './harness';

/*
 * Security headers are stamped by the HTTP server itself (server/http/security.ts), before Next
 * or any fallback writes the response, so a server without Next shows exactly what every response
 * gets. Pages rendered by Next (and their nonced scripts) are checked in Chromium by
 * tests/e2e/xss.test.ts.
 */

const EXPECTED = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'strict-origin-when-cross-origin',
  'x-frame-options': 'DENY',
};

function expectCsp(csp: string | null): void {
  expect(csp).toBeTruthy();
  const d = Object.fromEntries(
    csp!.split(';').map((p) => {
      const [k, ...v] = p.trim().split(/\s+/);
      return [k, v];
    }),
  );
  expect(d['default-src']).toEqual(["'self'"]);
  expect(d['script-src']).toContain("'self'");
  expect(d['script-src']).not.toContain("'unsafe-inline'");
  expect(d['script-src']!.some((s: string) => /^'nonce-[A-Za-z0-9+/]+=*'$/.test(s))).toBe(true);
  expect(d['connect-src']).toEqual(expect.arrayContaining(["'self'", 'ws:', 'wss:']));
  expect(d['object-src']).toEqual(["'none'"]);
  expect(d['frame-ancestors']).toEqual(["'none'"]);
  expect(d['base-uri']).toEqual(["'self'"]);
  expect(d['form-action']).toEqual(["'self'"]);
}

/** A raw HTTP/1.1 exchange: fetch cannot send an Upgrade header. */
function rawRequest(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => s.write(text));
    let out = '';
    s.on('data', (d) => (out += d.toString()));
    s.on('end', () => resolve(out));
    s.on('error', reject);
  });
}

describe('security headers', () => {
  let store: TestStore;
  let server: CruxServer;
  beforeAll(async () => {
    store = await createStore('pglite');
    server = await startTestServer(store);
  });
  afterAll(async () => {
    await server?.close();
    await store?.dispose();
  });

  it('every HTTP response carries the CSP (fresh nonce each time) and the usual headers; no HSTS over plain http', async () => {
    const a = await fetch(`${server.url}/no/such/page`);
    const b = await fetch(`${server.url}/api/debates`, { method: 'POST', body: '{' });
    for (const res of [a, b]) {
      for (const [k, v] of Object.entries(EXPECTED)) expect(res.headers.get(k), k).toBe(v);
      expect(res.headers.get('permissions-policy')).toMatch(/camera=\(\)/);
      expect(res.headers.get('strict-transport-security')).toBeNull();
      expectCsp(res.headers.get('content-security-policy'));
    }
    expect(a.headers.get('content-security-policy')).not.toBe(b.headers.get('content-security-policy'));
  });

  it("the API's fast path (server/http/fast.ts) sends the same headers, with a CSP for data: no nonce, nothing loads or frames it", async () => {
    for (const res of [
      await fetch(`${server.url}/api/debates/no-such-debate/votes`),
      await fetch(`${server.url}/api/debates/no-such-debate/votes`, { method: 'PUT', body: '{}' }),
    ]) {
      expect(res.status).toBeGreaterThanOrEqual(400);
      for (const [k, v] of Object.entries(EXPECTED)) expect(res.headers.get(k), k).toBe(v);
      expect(res.headers.get('permissions-policy')).toMatch(/camera=\(\)/);
      expect(res.headers.get('strict-transport-security')).toBeNull();
      expect(res.headers.get('content-security-policy')).toBe(DATA_CSP);
      expect(res.headers.get('content-type')).toBe('application/json');
    }
  });

  it('a client cannot pick the nonce by sending its own CSP header', async () => {
    const res = await fetch(`${server.url}/x`, { headers: { 'content-security-policy': "script-src 'nonce-AAAA'" } });
    expect(res.headers.get('content-security-policy')).not.toContain("'nonce-AAAA'");
  });

  it('a refused /yjs upgrade carries the headers too', async () => {
    const out = await rawRequest(
      server.port,
      'GET /yjs/no-such-debate HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
    );
    expect(out).toMatch(/^HTTP\/1\.1 40[134]/);
    expect(out).toMatch(/\r\nX-Content-Type-Options: nosniff\r\n/);
    expect(out).toMatch(/\r\nX-Frame-Options: DENY\r\n/);
    expect(out).toMatch(/\r\nContent-Security-Policy: default-src 'none'\r\n/);
  });
});

describe('behind HTTPS', () => {
  let store: TestStore;
  let server: CruxServer;
  beforeAll(async () => {
    store = await createStore('pglite');
    server = await startTestServer(store, {}, { publicUrl: 'https://crux.example.org' });
  });
  afterAll(async () => {
    await server?.close();
    await store?.dispose();
  });

  it('sends Strict-Transport-Security, on the fast path too', async () => {
    for (const path of ['/x', '/api/debates/no-such-debate/votes']) {
      const res = await fetch(`${server.url}${path}`);
      expect(res.headers.get('strict-transport-security'), path).toMatch(/^max-age=\d{7,}/);
    }
  });

  it('session cookies are HttpOnly, SameSite=Lax and Secure with the __Secure- prefix', async () => {
    const res = await guestRoute.POST(
      new Request('https://crux.example.org/api/account/guest', {
        method: 'POST',
        headers: { origin: 'https://crux.example.org', 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Cookie Tester' }),
      }),
    );
    expect(res.status).toBe(201);
    const session = res.headers.getSetCookie().find((c) => c.startsWith('__Secure-crux.session_token='));
    expect(session, res.headers.getSetCookie().join('\n')).toBeDefined();
    expect(session).toMatch(/;\s*HttpOnly/i);
    expect(session).toMatch(/;\s*SameSite=Lax/i);
    expect(session).toMatch(/;\s*Secure/i);
    expect(session).toMatch(/;\s*Path=\//i);
  });
});

describe('over plain http', () => {
  let store: TestStore;
  let server: CruxServer;
  beforeAll(async () => {
    store = await createStore('pglite');
    server = await startTestServer(store);
  });
  afterAll(async () => {
    await server?.close();
    await store?.dispose();
  });

  it('session cookies are HttpOnly and SameSite=Lax (Secure would be dropped by the browser over http)', async () => {
    const res = await guestRoute.POST(
      new Request(`${server.url}/api/account/guest`, {
        method: 'POST',
        headers: { origin: server.url, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Cookie Tester' }),
      }),
    );
    expect(res.status).toBe(201);
    const session = res.headers.getSetCookie().find((c) => c.startsWith('crux.session_token='));
    expect(session).toBeDefined();
    expect(session).toMatch(/;\s*HttpOnly/i);
    expect(session).toMatch(/;\s*SameSite=Lax/i);
    expect(session).not.toMatch(/;\s*Secure/i);
  });
});
