import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addClaim, claimsMap, deleteClaims, setClaimText } from '../../lib/model/doc';
import { AGI_DEBATE } from '../../lib/seed/agi';
import {
  MAX_QUOTE,
  type CreateSourceResult,
  type EvidenceDto,
  type EvidenceSummary,
  type Page,
  type SearchResults,
  type SourceDto,
} from '../../lib/schemas/evidence';
import type { CruxServer } from '../../server/app';
import type { ErrorBody } from '../../server/http/errors';
import type { LiveEvent } from '../../server/live/bus';
import { liveEventStream } from '../../server/live/sse';
import { createProjection } from '../../server/projection/claims';
import { seedAgiDebate, seededId } from '../../server/services/seed';
import { addEvidence, evidenceSummary } from '../../server/services/evidence';
import { rateSource } from '../../server/services/sources';
import * as sourcesRoute from '../../app/api/debates/[id]/sources/route';
import * as sourceRoute from '../../app/api/debates/[id]/sources/[sourceId]/route';
import * as ratingRoute from '../../app/api/debates/[id]/sources/[sourceId]/rating/route';
import * as evidenceRoute from '../../app/api/debates/[id]/evidence/route';
import * as evidenceItemRoute from '../../app/api/debates/[id]/evidence/[evidenceId]/route';
import * as summaryRoute from '../../app/api/debates/[id]/evidence/summary/route';
import * as searchRoute from '../../app/api/debates/[id]/search/route';
import * as eventsRoute from '../../app/api/debates/[id]/events/route';
import * as guestRoute from '../../app/api/account/guest/route';
import {
  STORES,
  connectClient,
  createDebateRow,
  createStore,
  startTestServer,
  synced,
  waitFor,
  type TestStore,
  expectJson,
  readEvents,
} from './harness';

/*
 * The evidence API through its real route handlers: each test builds a Request, calls the
 * exported GET/POST/… (parse → service → response, with the runtime startTestServer installed)
 * and reads the Response, so validation, status codes and field names are what a browser gets.
 */

const ORIGIN = 'http://crux.test';

type Handler<P> = (req: Request, ctx: { params: Promise<P> }) => Promise<Response>;

/** The session cookie requests carry unless told otherwise (set once a guest has joined). */
let defaultCookie: string | undefined;

async function call<P>(
  handler: Handler<P>,
  path: string,
  params: P,
  init: { method?: string; body?: unknown; signal?: AbortSignal; cookie?: string | null } = {},
) {
  const method = init.method ?? 'GET';
  const cookie = init.cookie === undefined ? defaultCookie : init.cookie;
  const req = new Request(`${ORIGIN}${path}`, {
    method,
    headers: {
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      // What a browser sends with a same-origin fetch; writes from other origins are refused.
      ...(method === 'GET' ? {} : { origin: ORIGIN }),
      ...(cookie ? { cookie } : {}),
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    signal: init.signal,
  });
  return handler(req, { params: Promise.resolve(params) });
}

/** Joins as a guest through the real route; returns the session cookie to send as that person. */
async function joinAsGuest(name: string): Promise<string> {
  const res = await guestRoute.POST(
    new Request(`${ORIGIN}/api/account/guest`, {
      method: 'POST',
      headers: { origin: ORIGIN, 'content-type': 'application/json' },
      body: JSON.stringify({ name }),
    }),
  );
  expect(res.status, await res.clone().text()).toBe(201);
  return res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
}

const json = expectJson;

/** The fields a 4xx names. */
async function fieldsOf(res: Promise<Response>, status: number): Promise<string[]> {
  const body = await json<ErrorBody>(res, status);
  return (body.error.fields ?? []).map((f) => f.field);
}

const AGI = AGI_DEBATE.id;
const S2 = seededId(AGI_DEBATE, 's2');
const S3 = seededId(AGI_DEBATE, 's3');

const claimRow = (server: CruxServer, debateId: string, claimId: string) =>
  server.db.prisma.debateClaim.findUnique({ where: { debateId_claimId: { debateId, claimId } } });

describe.each(STORES)('evidence (%s)', (storeName) => {
  let store: TestStore;
  let server: CruxServer;
  const latencies: Record<string, number[]> = { projection: [], live: [], search: [] };
  let alice: string;
  let bob: string;

  beforeAll(async () => {
    store = await createStore(storeName);
    server = await startTestServer(store);
    expect(await seedAgiDebate(server.db.prisma, { onlyIfEmpty: true })).toEqual({ created: true, debateId: AGI });
    await createDebateRow(server, 'other', 'Another debate');
    alice = await joinAsGuest('Alice');
    bob = await joinAsGuest('Bob');
    defaultCookie = alice;
  });
  afterAll(async () => {
    defaultCookie = undefined;
    await server?.close();
    await store?.dispose();
    console.log(
      `[evidence ${storeName}] ${Object.entries(latencies)
        .map(([k, v]) => `${k}: ${v.map((x) => x.toFixed(0)).join('/')} ms`)
        .join('; ')}`,
    );
  });

  it('seeds sources, evidence and the claim projection with the debate, once', async () => {
    const prisma = server.db.prisma;
    expect(await prisma.source.count({ where: { debateId: AGI } })).toBe(AGI_DEBATE.sources.length);
    expect(await prisma.evidence.count({ where: { debateId: AGI } })).toBeGreaterThanOrEqual(12);
    expect(await prisma.debateClaim.count({ where: { debateId: AGI, deleted: false } })).toBe(AGI_DEBATE.graph.claims.length);
    expect((await claimRow(server, AGI, 'a2'))?.text).toBe(AGI_DEBATE.graph.claims.find((c) => c.id === 'a2')!.text);
    expect(await seedAgiDebate(prisma, { onlyIfEmpty: false })).toEqual({ created: false, debateId: AGI });
    expect(await prisma.source.count({ where: { debateId: AGI } })).toBe(AGI_DEBATE.sources.length);
  });

  describe('validation names the field', () => {
    it('bad URLs are 400 on url', async () => {
      for (const url of ['ftp://example.com/a', 'javascript:alert(1)', 'example.com/no-scheme', 'https://user:pw@example.com/'])
        expect(
          await fieldsOf(
            call(sourcesRoute.POST, `/api/debates/${AGI}/sources`, { id: AGI }, { method: 'POST', body: { title: 'x', url } }),
            400,
          ),
        ).toEqual(['url']);
    });

    it('an empty quote is 400 on quote, a quote over the limit too', async () => {
      const base = { claimId: 'a1', sourceId: S3, stance: 'supports' };
      expect(await fieldsOf(call(evidenceRoute.POST, '', { id: AGI }, { method: 'POST', body: { ...base, quote: '  \n ' } }), 400)).toEqual(
        ['quote'],
      );
      const long = await json<ErrorBody>(
        call(evidenceRoute.POST, '', { id: AGI }, { method: 'POST', body: { ...base, quote: 'x'.repeat(MAX_QUOTE + 1) } }),
        400,
      );
      expect(long.error.fields).toEqual([{ field: 'quote', message: `quote must be at most ${MAX_QUOTE} characters` }]);
      // Exactly at the limit is fine.
      await json(call(evidenceRoute.POST, '', { id: AGI }, { method: 'POST', body: { ...base, quote: 'y'.repeat(MAX_QUOTE) } }), 201);
    });

    it('an unknown claim is 422 on claimId; a source of another debate is 422 on sourceId', async () => {
      const body = { claimId: 'no-such-claim', sourceId: S3, stance: 'supports', quote: 'q' };
      expect(await fieldsOf(call(evidenceRoute.POST, '', { id: AGI }, { method: 'POST', body }), 422)).toEqual(['claimId']);
      const other = await json<CreateSourceResult>(
        call(
          sourcesRoute.POST,
          '',
          { id: 'other' },
          { method: 'POST', body: { title: 'Elsewhere', url: 'https://example.org/elsewhere' } },
        ),
        201,
      );
      expect(
        await fieldsOf(
          call(evidenceRoute.POST, '', { id: AGI }, { method: 'POST', body: { ...body, claimId: 'a1', sourceId: other.source.id } }),
          422,
        ),
      ).toEqual(['sourceId']);
      // And the other debate's source is simply not found through this debate's path.
      await json(call(sourceRoute.GET, '', { id: AGI, sourceId: other.source.id }), 404);
      expect(
        await fieldsOf(
          call(evidenceRoute.POST, '', { id: AGI }, { method: 'POST', body: { claimId: 'a1', stance: 'supports', quote: 'q' } }),
          400,
        ),
      ).toEqual(['sourceId']);
    });

    it('unknown ids and debates are 404; bad ratings and stances are 400', async () => {
      await json(call(sourceRoute.GET, '', { id: AGI, sourceId: 'nope' }), 404);
      await json(call(evidenceItemRoute.PATCH, '', { id: AGI, evidenceId: 'nope' }, { method: 'PATCH', body: { note: 'x' } }), 404);
      await json(call(sourcesRoute.GET, '/api/debates/nope/sources', { id: 'nope' }), 404);
      expect(await fieldsOf(call(ratingRoute.PUT, '', { id: AGI, sourceId: S3 }, { method: 'PUT', body: { rating: 6 } }), 400)).toEqual([
        'rating',
      ]);
      expect(await fieldsOf(call(ratingRoute.PUT, '', { id: AGI, sourceId: S3 }, { method: 'PUT', body: { rating: 2.5 } }), 400)).toEqual([
        'rating',
      ]);
      expect(
        await fieldsOf(
          call(evidenceRoute.POST, '', { id: AGI }, { method: 'POST', body: { claimId: 'a1', sourceId: S3, stance: 'maybe', quote: 'q' } }),
          400,
        ),
      ).toEqual(['stance']);
      // Evidence of one debate is not reachable through another's path.
      const seeded = seededId(AGI_DEBATE, 'e-a1-s3');
      await json(call(evidenceItemRoute.GET, '', { id: 'other', evidenceId: seeded }), 404);
      await json(call(evidenceItemRoute.DELETE, '', { id: 'other', evidenceId: seeded }, { method: 'DELETE' }), 404);
    });
  });

  it('the same article pasted twice is one source; another source cannot take its URL (409 on url)', async () => {
    const again = await json<CreateSourceResult>(
      call(
        sourcesRoute.POST,
        '',
        { id: AGI },
        { method: 'POST', body: { title: 'Fu again', url: 'HTTPS://DanFu.org:443/notes/agi?utm_source=x#conclusion' } },
      ),
      200,
    );
    expect(again).toMatchObject({ created: false, source: { id: S2, title: 'Notes on AGI', url: 'https://danfu.org/notes/agi' } });
    // Inline source creation in an evidence request reuses it too.
    const ev = await json<EvidenceDto>(
      call(
        evidenceRoute.POST,
        '',
        { id: AGI },
        {
          method: 'POST',
          body: {
            claimId: 'b1',
            stance: 'supports',
            quote: 'Low MFU is not a law of nature.',
            source: { title: 'dup', url: 'https://danfu.org/notes/agi/' },
          },
        },
      ),
      201,
    );
    expect(ev.sourceId).toBe(S2);
    const fresh = await json<CreateSourceResult>(
      call(
        sourcesRoute.POST,
        '',
        { id: AGI },
        { method: 'POST', body: { title: 'A paper', kind: 'paper', url: 'https://arxiv.org/abs/2401.00001' } },
      ),
      201,
    );
    expect(fresh.created).toBe(true);
    const conflict = await json<ErrorBody>(
      call(
        sourceRoute.PATCH,
        '',
        { id: AGI, sourceId: fresh.source.id },
        { method: 'PATCH', body: { url: 'https://danfu.org/notes/agi/' } },
      ),
      409,
    );
    expect(conflict.error.fields?.[0]?.field).toBe('url');
    // Two link-less sources coexist.
    for (const title of ['Talk notes', 'Hallway conversation'])
      await json(call(sourcesRoute.POST, '', { id: AGI }, { method: 'POST', body: { title, url: '' } }), 201);
    // Only its adder (or a moderator) removes a source: the seeded ones are nobody's.
    await json(call(sourceRoute.DELETE, '', { id: AGI, sourceId: S2 }, { method: 'DELETE' }), 403);
    // A cited source cannot be deleted; once its quote is gone, it can.
    const cite = await json<EvidenceDto>(
      call(
        evidenceRoute.POST,
        '',
        { id: AGI },
        { method: 'POST', body: { claimId: 'a5', sourceId: fresh.source.id, stance: 'context', quote: 'q' } },
      ),
      201,
    );
    expect(await fieldsOf(call(sourceRoute.DELETE, '', { id: AGI, sourceId: fresh.source.id }, { method: 'DELETE' }), 409)).toEqual([
      'sourceId',
    ]);
    await json(call(evidenceItemRoute.DELETE, '', { id: AGI, evidenceId: cite.id }, { method: 'DELETE' }), 204);
    await json(call(sourceRoute.DELETE, '', { id: AGI, sourceId: fresh.source.id }, { method: 'DELETE' }), 204);
    await json(call(sourceRoute.GET, '', { id: AGI, sourceId: fresh.source.id }), 404);
  });

  it('lists sources with search, kind filter and cursor pagination, with credibility', async () => {
    // Three people: someone rating through the service, Bob and Alice through the API.
    await rateSource(server, AGI, S3, 'carol-key', 5);
    await json(call(ratingRoute.PUT, '', { id: AGI, sourceId: S3 }, { method: 'PUT', body: { rating: 2 }, cookie: bob }), 200);
    const rated = await json<SourceDto>(call(ratingRoute.PUT, '', { id: AGI, sourceId: S3 }, { method: 'PUT', body: { rating: 4 } }), 200);
    expect(rated.credibility).toEqual({ mean: 3.67, count: 3, mine: 4 });
    const changed = await json<SourceDto>(
      call(ratingRoute.PUT, '', { id: AGI, sourceId: S3 }, { method: 'PUT', body: { rating: 2 } }),
      200,
    );
    expect(changed.credibility).toEqual({ mean: 3, count: 3, mine: 2 });
    const cleared = await json<SourceDto>(call(ratingRoute.DELETE, '', { id: AGI, sourceId: S3 }, { method: 'DELETE' }), 200);
    expect(cleared.credibility).toEqual({ mean: 3.5, count: 2, mine: null });

    const all: SourceDto[] = [];
    let cursor: string | null = null;
    do {
      const page: Page<SourceDto> = await json(
        call(sourcesRoute.GET, `/api/debates/${AGI}/sources?limit=2${cursor ? `&cursor=${cursor}` : ''}`, { id: AGI }),
        200,
      );
      expect(page.items.length).toBeLessThanOrEqual(2);
      all.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    expect(new Set(all.map((s) => s.id)).size).toBe(all.length);
    expect(all.length).toBe(await server.db.prisma.source.count({ where: { debateId: AGI } }));
    expect(all.find((s) => s.id === S3)?.evidenceCount).toBeGreaterThanOrEqual(12);

    const byAuthor = await json<Page<SourceDto>>(call(sourcesRoute.GET, `/api/debates/${AGI}/sources?q=dettm`, { id: AGI }), 200);
    expect(byAuthor.items.map((s) => s.id)).toContain(seededId(AGI_DEBATE, 's1'));
    const news = await json<Page<SourceDto>>(call(sourcesRoute.GET, `/api/debates/${AGI}/sources?kind=news`, { id: AGI }), 200);
    expect(news.items.map((s) => s.id)).toEqual([S3]);
    expect(await fieldsOf(call(sourcesRoute.GET, `/api/debates/${AGI}/sources?kind=podcast`, { id: AGI }), 400)).toEqual(['kind']);
  });

  it('only the author or a moderator edits evidence (the guard gets isAuthor), and edits are validated', async () => {
    const ev = await json<EvidenceDto>(
      call(
        evidenceRoute.POST,
        '',
        { id: AGI },
        { method: 'POST', body: { claimId: 'a4', sourceId: S3, stance: 'context', quote: 'A passage.', locator: 'p. 3' } },
      ),
      201,
    );
    expect(ev.addedByName).toBe('Alice');
    // Bob may add evidence too, but this is not his.
    const refused = await json<ErrorBody>(
      call(evidenceItemRoute.PATCH, '', { id: AGI, evidenceId: ev.id }, { method: 'PATCH', body: { note: 'mine now' }, cookie: bob }),
      403,
    );
    expect(refused.error.message).toContain('only its author or a moderator');
    await json(call(evidenceItemRoute.DELETE, '', { id: AGI, evidenceId: ev.id }, { method: 'DELETE', cookie: bob }), 403);
    // Nobody signed in may not add at all.
    await json(
      call(
        evidenceRoute.POST,
        '',
        { id: AGI },
        { method: 'POST', body: { claimId: 'a4', sourceId: S3, stance: 'context', quote: 'x' }, cookie: null },
      ),
      401,
    );
    const patched = await json<EvidenceDto>(
      call(
        evidenceItemRoute.PATCH,
        '',
        { id: AGI, evidenceId: ev.id },
        { method: 'PATCH', body: { stance: 'contradicts', note: 'reread' } },
      ),
      200,
    );
    expect(patched).toMatchObject({ stance: 'contradicts', note: 'reread', quote: 'A passage.', locator: 'p. 3' });
    expect(
      await fieldsOf(call(evidenceItemRoute.PATCH, '', { id: AGI, evidenceId: ev.id }, { method: 'PATCH', body: { quote: '' } }), 400),
    ).toEqual(['quote']);
    await json(call(evidenceItemRoute.DELETE, '', { id: AGI, evidenceId: ev.id }, { method: 'DELETE' }), 204);
    await json(call(evidenceItemRoute.GET, '', { id: AGI, evidenceId: ev.id }), 404);
  });

  it('the projection follows Yjs edits, deletions and undo; deleted claims hide their evidence', async () => {
    const debateId = 'proj';
    await createDebateRow(server, debateId);
    const { doc, provider } = connectClient(server, debateId);
    try {
      await synced(provider);
      const undo = new Y.UndoManager(claimsMap(doc), { captureTimeout: 0 });
      const t0 = performance.now();
      const id = addClaim(doc, { text: 'Remote work raises output', x: 0, y: 0, author: 't' });
      let row = await pollRow(
        () => claimRow(server, debateId, id),
        (r) => r !== null,
      );
      latencies.projection!.push(performance.now() - t0);
      expect(row).toMatchObject({ text: 'Remote work raises output', kind: 'claim', deleted: false });

      setClaimText(doc, id, 'Remote work raises output per hour');
      row = await pollRow(
        () => claimRow(server, debateId, id),
        (r) => r?.text === 'Remote work raises output per hour',
      );

      const source = await json<CreateSourceResult>(
        call(sourcesRoute.POST, '', { id: debateId }, { method: 'POST', body: { title: 'Survey', url: 'https://example.com/survey' } }),
        201,
      );
      await json(
        call(
          evidenceRoute.POST,
          '',
          { id: debateId },
          { method: 'POST', body: { claimId: id, sourceId: source.source.id, stance: 'supports', quote: '13%' } },
        ),
        201,
      );
      const listed = () =>
        json<Page<EvidenceDto>>(call(evidenceRoute.GET, `/api/debates/${debateId}/evidence?claimId=${id}`, { id: debateId }), 200);
      expect((await listed()).items).toHaveLength(1);

      undo.stopCapturing();
      const t1 = performance.now();
      deleteClaims(doc, [id]);
      await pollRow(
        () => claimRow(server, debateId, id),
        (r) => r?.deleted === true,
      );
      latencies.projection!.push(performance.now() - t1);
      expect((await listed()).items).toHaveLength(0);
      expect((await json<EvidenceSummary>(call(summaryRoute.GET, '', { id: debateId }), 200)).claims).toEqual({});
      // Evidence cannot be added to a deleted claim.
      const refused = await json<ErrorBody>(
        call(
          evidenceRoute.POST,
          '',
          { id: debateId },
          { method: 'POST', body: { claimId: id, sourceId: source.source.id, stance: 'supports', quote: 'q' } },
        ),
        422,
      );
      expect(refused.error.fields).toEqual([{ field: 'claimId', message: `claim ${id} was deleted` }]);

      undo.undo();
      expect(claimsMap(doc).has(id)).toBe(true);
      await pollRow(
        () => claimRow(server, debateId, id),
        (r) => r?.deleted === false,
      );
      expect((await listed()).items).toHaveLength(1);
      expect((await json<EvidenceSummary>(call(summaryRoute.GET, '', { id: debateId }), 200)).claims[id]).toEqual({
        supports: 1,
        contradicts: 0,
        context: 0,
      });
      expect((await json<EvidenceSummary>(call(summaryRoute.GET, '', { id: debateId }), 200)).sources[source.source.id]).toEqual([id]);

      // A claim cited the moment it is created, before the projection's delay: projected on demand.
      const quick = addClaim(doc, { text: 'Commutes cost time', x: 0, y: 200, author: 't' });
      await waitFor(() => server.rooms.peek(debateId) !== undefined);
      const room = await server.rooms.peek(debateId)!;
      await waitFor(() => claimsMap(room.doc).has(quick), 5_000, 'claim durable');
      await json(
        call(
          evidenceRoute.POST,
          '',
          { id: debateId },
          { method: 'POST', body: { claimId: quick, sourceId: source.source.id, stance: 'context', quote: 'q' } },
        ),
        201,
      );
    } finally {
      provider.destroy();
      doc.destroy();
    }
  });

  it('a debate never opened is projected on demand from its stored document', async () => {
    const debateId = 'unopened';
    await createDebateRow(server, debateId);
    const doc = new Y.Doc();
    const id = addClaim(doc, { text: 'Stored but never loaded', x: 0, y: 0, author: 't' });
    await server.db.prisma.docSnapshot.create({ data: { debateId, data: new Uint8Array(Y.encodeStateAsUpdate(doc)) } });
    const source = await json<CreateSourceResult>(
      call(sourcesRoute.POST, '', { id: debateId }, { method: 'POST', body: { title: 'S' } }),
      201,
    );
    await json(
      call(
        evidenceRoute.POST,
        '',
        { id: debateId },
        { method: 'POST', body: { claimId: id, sourceId: source.source.id, stance: 'supports', quote: 'q' } },
      ),
      201,
    );
    expect(await claimRow(server, debateId, id)).toMatchObject({ text: 'Stored but never loaded', deleted: false });
  });

  it('at start, debates whose stored document was never projected are backfilled', async () => {
    const debateId = 'legacy';
    await createDebateRow(server, debateId);
    const doc = new Y.Doc();
    const ids = [
      addClaim(doc, { text: 'From before the projection', x: 0, y: 0, author: 't' }),
      addClaim(doc, { text: 'Another', x: 0, y: 0, author: 't' }),
    ];
    await server.db.prisma.docSnapshot.create({ data: { debateId, data: new Uint8Array(Y.encodeStateAsUpdate(doc)) } });
    // What startServer does, here on a database that already holds the debate.
    const projection = createProjection(server.db);
    const rows = await pollRow(
      () => server.db.prisma.debateClaim.findMany({ where: { debateId }, orderBy: { claimId: 'asc' } }),
      (r) => r.length === 2,
      5_000,
    );
    await projection.close();
    expect(rows.map((r) => r.claimId)).toEqual([...ids].sort());
  });

  it('live: an SSE subscriber hears of new evidence within a second, and unsubscribes on abort', async () => {
    const abort = new AbortController();
    const res = await call(eventsRoute.GET, `/api/debates/${AGI}/events`, { id: AGI }, { signal: abort.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const stream = readEvents(res.body!);
    await waitFor(() => stream.raw().includes(': connected'), 5_000, 'stream open');
    expect(server.live.subscriberCount(AGI)).toBe(1);
    for (let i = 0; i < 3; i++) {
      const before = stream.events.length;
      const t0 = performance.now();
      await json(
        call(
          evidenceRoute.POST,
          '',
          { id: AGI },
          { method: 'POST', body: { claimId: 'b2', sourceId: S3, stance: 'supports', quote: `live ${i}` } },
        ),
        201,
      );
      await waitFor(() => stream.events.length > before, 1_000, 'live event');
      latencies.live!.push(stream.events[before]!.at - t0);
      expect(stream.events[before]!.data).toEqual({ topic: 'evidence' });
    }
    abort.abort();
    await stream.done;
    expect(server.live.subscriberCount(AGI)).toBe(0);
    // An unknown debate gets no stream.
    await json(call(eventsRoute.GET, '', { id: 'nope' }), 404);
  });

  it('search finds claims and sources by word prefix, and leaves deleted claims out', async () => {
    const search = async (q: string) => {
      const t0 = performance.now();
      const r = await json<SearchResults>(call(searchRoute.GET, `/api/debates/${AGI}/search?q=${encodeURIComponent(q)}`, { id: AGI }), 200);
      latencies.search!.push(performance.now() - t0);
      return r;
    };
    expect((await search('transf')).claims.map((c) => c.claimId)).toContain('a2');
    expect((await search('gpu better')).claims.map((c) => c.claimId)).toContain('a4');
    expect((await search('Dettmers')).sources.map((s) => s.id).sort()).toEqual([seededId(AGI_DEBATE, 's1'), S3]);
    expect((await search('tim dettm')).sources.map((s) => s.id)).toEqual([seededId(AGI_DEBATE, 's1')]);
    expect((await search('notes agi')).sources.map((s) => s.id)).toContain(S2);
    // Query syntax is not interpreted: operators and quotes are just separators.
    expect((await search("'):* | !!& <->")).claims).toEqual([]);
    expect(await fieldsOf(call(searchRoute.GET, `/api/debates/${AGI}/search?q=`, { id: AGI }), 400)).toEqual(['q']);
    await server.db.prisma.debateClaim.update({ where: { debateId_claimId: { debateId: AGI, claimId: 'a2' } }, data: { deleted: true } });
    expect((await search('transf')).claims.map((c) => c.claimId)).not.toContain('a2');
    await server.db.prisma.debateClaim.update({ where: { debateId_claimId: { debateId: AGI, claimId: 'a2' } }, data: { deleted: false } });
  });

  // Two instances need a shared server: PGlite is one process's embedded database.
  if (storeName === 'postgres')
    it('live across two instances on one Postgres: the other instance hears within a second', async () => {
      const other = await startTestServer(store);
      try {
        const heard: { at: number; e: LiveEvent }[] = [];
        const off = other.live.subscribe(AGI, (e) => heard.push({ at: performance.now(), e }));
        for (let i = 0; i < 3; i++) {
          const before = heard.length;
          const t0 = performance.now();
          await addEvidence(
            server,
            AGI,
            { claimId: 'b3', sourceId: S3, stance: 'supports', quote: `cross ${i}`, locator: '', note: '' },
            { key: 'alice-key', name: 'Alice' },
          );
          await waitFor(() => heard.length > before, 1_000, 'cross-instance event');
          latencies.live!.push(heard[before]!.at - t0);
          expect(heard[before]!.e).toEqual({ debateId: AGI, topic: 'evidence' });
        }
        expect((await evidenceSummary(other, AGI)).claims['b3']?.supports).toBeGreaterThanOrEqual(3);

        // The listening connections die (a failover, an idle-killing proxy): each bus reconnects,
        // tells its subscribers to refetch (events may be lost meanwhile), and events flow again.
        const killed = await server.db.sql.query<{ pid: number }>(
          `SELECT pg_terminate_backend(pid) AS pid FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN %'`,
        );
        expect(killed.length).toBe(2);
        await waitFor(() => heard.some((h) => h.e.topic === '*'), 5_000, 'resync after reconnect');
        const before = heard.length;
        await server.live.publish({ debateId: AGI, topic: 'sources' });
        await waitFor(() => heard.slice(before).some((h) => h.e.topic === 'sources'), 1_000, 'event after reconnect');
        off();
      } finally {
        await other.close();
      }
    });

  it('the event stream sends heartbeat comments while idle', async () => {
    const abort = new AbortController();
    const res = liveEventStream(server.live, AGI, abort.signal, { heartbeatMs: 20 });
    const stream = readEvents(res.body!);
    await waitFor(() => (stream.raw().match(/: heartbeat/g) ?? []).length >= 2, 2_000, 'heartbeats');
    abort.abort();
    await stream.done;
    expect(server.live.subscriberCount(AGI)).toBe(0);
  });
});

async function pollRow<T>(read: () => Promise<T>, ok: (r: T) => boolean, timeoutMs = 1_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const r = await read();
    if (ok(r)) return r;
    if (Date.now() - t0 > timeoutMs) throw new Error(`projection did not catch up within ${timeoutMs} ms: ${JSON.stringify(r)}`);
    await new Promise((res) => setTimeout(res, 10));
  }
}
