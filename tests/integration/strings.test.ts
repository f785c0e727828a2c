import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CruxServer } from '../../server/app';
import type { ErrorBody } from '../../server/http/errors';
import { findUnstorable, unstorable } from '../../server/http/strings';
import * as authRoute from '../../app/api/auth/[...all]/route';
import * as debatesRoute from '../../app/api/debates/route';
import * as debateRoute from '../../app/api/debates/[id]/route';
import * as sourcesRoute from '../../app/api/debates/[id]/sources/route';
import * as searchRoute from '../../app/api/debates/[id]/search/route';
import * as importRoute from '../../app/api/import/route';
import * as teamsRoute from '../../app/api/teams/route';
import * as teamRoute from '../../app/api/teams/[id]/route';
import * as guestRoute from '../../app/api/account/guest/route';
import type * as Y from 'yjs';
import { addClaim, claimsMap } from '../../lib/model/doc';
import {
  STORES,
  connectClient,
  createDebateRow,
  createStore,
  signUp,
  startTestServer,
  storedDoc,
  synced,
  waitForAsync,
  type TestStore,
} from './harness';

/*
 * [harden] 3: strings Postgres cannot store — a NUL, or half of a UTF-16 surrogate pair — are
 * refused with a 400 naming the field on every way into the server (JSON bodies, imports, query
 * strings, path segments, better-auth's own routes), and nothing is written. The 1,000-body fuzz
 * (scripts/fuzz.mjs) found these as 500s on five routes before the check existed.
 */

describe('unstorable strings (unit)', () => {
  it.each([
    ['plain', null],
    ['emoji 🧠 pair', null],
    ['', null],
    ['a\u0000b', 'NUL'],
    ['\ud800', 'surrogate'],
    ['x\udf99', 'surrogate'],
    ['\udc00\ud800', 'surrogate'], // both halves, in the wrong order
    ['🧠'.slice(0, 1) + 'x', 'surrogate'],
  ])('%j → %s', (s, expected) => {
    const why = unstorable(s);
    if (expected === null) expect(why).toBeNull();
    else expect(why).toContain(expected);
  });

  it('names the path of the first bad string, keys included, and the line in a multi-line text', () => {
    expect(findUnstorable({ a: [1, 'ok', { b: 'x\u0000' }] })).toEqual({ field: 'a.2.b', message: expect.stringContaining('NUL') });
    expect(findUnstorable({ ['k\ud800']: 1 })?.field).toBe('k\ud800');
    expect(findUnstorable('\u0000')?.field).toBe('(body)');
    expect(findUnstorable({ text: 'line one\nline two\nbad \u0000 here' })?.message).toContain('line 3, column 5');
    expect(findUnstorable({ deep: JSON.parse('['.repeat(10_000) + ']'.repeat(10_000)) })).toBeNull();
  });
});

const ORIGIN = 'http://crux.test';
const BAD: [string, string][] = [
  ['NUL', 'title \u0000 with a NUL'],
  ['lone high surrogate', 'title \ud800'],
  ['lone low surrogate', '\udf99 title'],
];

for (const name of STORES) {
  describe(`unstorable strings through the routes (${name})`, () => {
    let store: TestStore;
    let server: CruxServer;
    let owner: { cookie: string; userId: string };
    let debateId: string;
    let teamId: string;

    beforeAll(async () => {
      store = await createStore(name);
      server = await startTestServer(store);
      owner = await signUp(server, 'Ada', `ada-strings-${name}@example.org`);
      const created = await call(debatesRoute.POST, '/api/debates', { title: 'A fine debate' });
      expect(created.status).toBe(201);
      debateId = ((await created.json()) as { id: string }).id;
      const team = await call(teamsRoute.POST, '/api/teams', { name: 'A fine team' });
      expect(team.status).toBe(201);
      teamId = ((await team.json()) as { id: string }).id;
    });
    afterAll(async () => {
      await server?.close();
      await store?.dispose();
    });

    type Handler = (req: Request, ctx: { params: Promise<Record<string, string | string[]>> }) => Promise<Response>;
    function call(
      handler: unknown,
      url: string,
      body?: unknown,
      opts: { method?: string; params?: Record<string, string | string[]>; cookie?: string | null } = {},
    ): Promise<Response> {
      const cookie = opts.cookie === undefined ? owner.cookie : opts.cookie;
      const req = new Request(`${ORIGIN}${url}`, {
        method: opts.method ?? (body === undefined ? 'GET' : 'POST'),
        headers: {
          origin: ORIGIN,
          ...(cookie ? { cookie } : {}),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return (handler as Handler)(req, { params: Promise.resolve(opts.params ?? {}) });
    }

    async function refused(res: Promise<Response>, field: string, what: string): Promise<void> {
      const r = await res;
      const body = (await r.json()) as ErrorBody;
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(body.error.fields?.[0]?.field).toBe(field);
      expect(body.error.fields?.[0]?.message).toContain(what === 'NUL' ? 'NUL' : 'surrogate');
    }

    const counts = async () => ({
      debates: await server.db.prisma.debate.count(),
      teams: await server.db.prisma.team.count(),
      sources: await server.db.prisma.source.count(),
      users: await server.db.prisma.user.count(),
    });

    it.each(BAD)('%s: JSON bodies on every kind of write get 400 naming the field, and nothing is stored', async (what, bad) => {
      const before = await counts();
      await refused(call(debatesRoute.POST, '/api/debates', { title: bad }), 'title', what);
      await refused(
        call(
          sourcesRoute.POST,
          `/api/debates/${debateId}/sources`,
          { title: bad, url: 'https://example.org/a' },
          { params: { id: debateId } },
        ),
        'title',
        what,
      );
      await refused(call(teamsRoute.POST, '/api/teams', { name: bad }), 'name', what);
      await refused(
        call(teamRoute.PATCH, `/api/teams/${teamId}`, { name: bad }, { method: 'PATCH', params: { id: teamId } }),
        'name',
        what,
      );
      await refused(call(guestRoute.POST, '/api/account/guest', { name: bad }, { cookie: null }), 'name', what);
      await refused(call(debatesRoute.POST, '/api/debates', { title: 'ok', nested: [{ deeper: bad }] }), 'nested.0.deeper', what);
      // better-auth's own routes: sign-up with a bad name, sign-in with a bad e-mail.
      await refused(
        call(
          authRoute.POST,
          '/api/auth/sign-up/email',
          { name: bad, email: 'nul@example.org', password: 'correct horse battery staple' },
          { cookie: null },
        ),
        'name',
        what,
      );
      await refused(
        call(authRoute.POST, '/api/auth/sign-in/email', { email: bad, password: 'correct horse battery staple' }, { cookie: null }),
        'email',
        what,
      );
      expect(await counts()).toEqual(before);
      // The team kept its name.
      expect((await server.db.prisma.team.findUnique({ where: { id: teamId } }))?.name).toBe('A fine team');
    });

    it.each(BAD)('%s: an import names the field and the line, and writes nothing', async (what, bad) => {
      const before = await counts();
      const text = `Discussion Title: A debate\n\n1. The thesis\n1.1. Pro: ${bad}\n`;
      const res = call(importRoute.POST, '/api/import', { format: 'kialo', text });
      const r = await res;
      const body = (await r.json()) as ErrorBody;
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(body.error.fields?.[0]).toEqual({ field: 'text', message: expect.stringContaining('line 4') });
      expect(body.error.fields?.[0]?.message).toContain(what === 'NUL' ? 'NUL' : 'surrogate');
      expect(await counts()).toEqual(before);
    });

    it.each(['\\u0000', '\\ud800'])(
      'an escape (%s) inside a JSON format (AIF) is caught after parsing: 422, dry run lists it, nothing written',
      async (esc) => {
        const before = await counts();
        const claimsBefore = await server.db.prisma.debateClaim.count();
        const aif = readFileSync(path.join(import.meta.dirname, '../fixtures/formats/remote-work.aifdb.json'), 'utf8').replace(
          'Offices are expensive to run',
          `Offices are ${esc} expensive`,
        );
        expect(aif).toContain(esc);
        const dry = await call(importRoute.POST, '/api/import?dryRun=1', { format: 'aif', text: aif });
        const preview = (await dry.json()) as { ok: boolean; errors: { path?: string; message: string }[] };
        expect(dry.status).toBe(200);
        expect(preview.ok).toBe(false);
        expect(preview.errors[0]).toEqual({ path: expect.stringMatching(/^graph\.claims\.\d+\.text$/), message: expect.any(String) });
        const res = await call(importRoute.POST, '/api/import', { format: 'aif', text: aif });
        const body = (await res.json()) as ErrorBody;
        expect(res.status, JSON.stringify(body)).toBe(422);
        expect(body.error.fields?.[0]).toEqual({ field: 'text', message: expect.stringMatching(/^graph\.claims\.\d+\.text: must/) });
        expect(await counts()).toEqual(before);
        expect(await server.db.prisma.debateClaim.count()).toBe(claimsBefore);
      },
    );

    it('a NUL in an uploaded file (multipart) is refused too', async () => {
      const form = new FormData();
      form.set('format', 'kialo');
      form.set('file', new File(['Discussion Title: A\n\n1. T\n1.1. Con: x\u0000y\n'], 'map.txt'));
      const res = await importRoute.POST(
        new Request(`${ORIGIN}/api/import`, { method: 'POST', headers: { origin: ORIGIN, cookie: owner.cookie }, body: form }),
      );
      const body = (await res.json()) as ErrorBody;
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(body.error.fields?.[0]).toEqual({ field: 'text', message: expect.stringContaining('NUL') });
    });

    it.each(BAD)('%s: query strings and path segments are refused before any lookup', async (what, bad) => {
      // A URL cannot carry half a surrogate pair (its UTF-8 escape decodes to U+FFFD), only a NUL.
      if (what === 'NUL')
        await refused(
          call(searchRoute.GET, `/api/debates/${debateId}/search?q=${encodeURIComponent(bad)}`, undefined, { params: { id: debateId } }),
          'q',
          what,
        );
      await refused(call(debateRoute.GET, `/api/debates/x`, undefined, { params: { id: bad } }), 'id', what);
      await refused(call(debateRoute.DELETE, `/api/debates/x`, undefined, { method: 'DELETE', params: { id: bad } }), 'id', what);
    });

    it('a NUL typed into a claim (it travels inside a Yjs update) is kept in the document and projected as U+FFFD', async () => {
      // Yjs carries strings as UTF-8, so a lone surrogate cannot arrive this way (it is U+FFFD on
      // the wire already); a NUL can, and the claims table cannot hold it.
      const id = 'strings-doc';
      await createDebateRow(server, id);
      const { doc, provider } = connectClient(server, id);
      try {
        await synced(provider);
        const bad = addClaim(doc, { text: 'before\u0000after', x: 0, y: 0, author: 'a' });
        const row = () => server.db.prisma.debateClaim.findUnique({ where: { debateId_claimId: { debateId: id, claimId: bad } } });
        await waitForAsync(async () => (await row()) !== null, 10_000, 'projected row');
        expect((await row())!.text).toBe('before\ufffdafter');
        // The projection is not stuck on it: later claims keep arriving.
        const next = addClaim(doc, { text: 'a later claim', x: 0, y: 100, author: 'a' });
        await waitForAsync(
          async () =>
            (await server.db.prisma.debateClaim.findUnique({ where: { debateId_claimId: { debateId: id, claimId: next } } })) !== null,
          10_000,
          'later row',
        );
        // The document itself keeps what was typed.
        const stored = await storedDoc(server, id);
        expect((claimsMap(stored).get(bad)!.get('text') as Y.Text).toString()).toBe('before\u0000after');
      } finally {
        provider.destroy();
      }
    });

    it('good input still goes through (emoji pairs are fine)', async () => {
      const res = await call(debatesRoute.POST, '/api/debates', { title: 'Will AGI happen? 🧠' });
      expect(res.status).toBe(201);
      const res2 = await call(
        authRoute.POST,
        '/api/auth/sign-up/email',
        { name: 'Bob 🧠', email: `bob-strings-${name}@example.org`, password: 'correct horse battery staple' },
        { cookie: null },
      );
      expect(res2.status).toBe(200);
    });
  });
}
