import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { addClaim, addRelation, deleteClaims, deleteRelations } from '../../lib/model/doc';
import type { CastVoteResult, ExplainDto, StrengthDto, VotesDto } from '../../lib/schemas/votes';
import type { CruxServer } from '../../server/app';
import type { ErrorBody } from '../../server/http/errors';
import { startLiveBus, type LiveEvent } from '../../server/live/bus';
import { SqlDocStore } from '../../server/persistence/docStore';
import { readProjectedClaims, writeProjection } from '../../server/projection/claims';
import { VOTES_EVENT_SPACING_MS, castVote } from '../../server/services/votes';
import * as votesRoute from '../../app/api/debates/[id]/votes/route';
import * as strengthRoute from '../../app/api/debates/[id]/strength/route';
import * as explainRoute from '../../app/api/debates/[id]/strength/explain/route';
import {
  STORES,
  createDebateRow,
  createStore,
  joinGuest,
  signUp,
  startTestServer,
  waitFor,
  type TestStore,
  callDebateRoute,
  callOverHttp,
  countTransactions,
  expectJson,
} from './harness';

/*
 * Votes and strength through their real route handlers: each test builds a Request, calls the
 * exported GET/PUT/DELETE (with the runtime startTestServer installed) and reads the Response.
 * Every test runs twice: the vote calls once through the Next route handlers and once over HTTP
 * through the server's own fast path (server/http/fast.ts), which must behave the same.
 */

const json = expectJson;
const PATHS = ['route handler', 'fast path'] as const;
const VOTE_HANDLERS = new Set<unknown>([votesRoute.GET, votesRoute.PUT, votesRoute.DELETE]);

const DEBATE = 'votes-debate';
const VIEWERS_ONLY = 'viewers-only';

/**
 * A stored document: thesis T, claim A supporting it (relation rA), claim B attacking it (rB),
 * and claim D, projected and then deleted. The projection is written the way the server writes
 * it, so the DebateClaim rows match the document.
 */
async function storeDebate(server: CruxServer, id: string): Promise<void> {
  await createDebateRow(server, id);
  const doc = new Y.Doc();
  addClaim(doc, { id: 'T', text: 'Thesis', kind: 'thesis', x: 0, y: 0, author: 'test', now: 1 });
  addClaim(doc, { id: 'A', text: 'Pro', x: 0, y: 100, author: 'test', now: 2 });
  addClaim(doc, { id: 'B', text: 'Con', x: 100, y: 100, author: 'test', now: 3 });
  addClaim(doc, { id: 'D', text: 'Gone', x: 200, y: 100, author: 'test', now: 4 });
  addRelation(doc, { id: 'rA', from: 'A', to: 'T', kind: 'supports', author: 'test' });
  addRelation(doc, { id: 'rB', from: 'B', to: 'T', kind: 'attacks', author: 'test' });
  await server.db.sql.transaction((tx) => writeProjection(tx, id, readProjectedClaims(doc)));
  deleteClaims(doc, ['D']);
  await server.db.sql.transaction((tx) => writeProjection(tx, id, readProjectedClaims(doc)));
  await server.db.prisma.docSnapshot.create({ data: { debateId: id, data: new Uint8Array(Y.encodeStateAsUpdate(doc)) } });
  doc.destroy();
}

describe.each(STORES.flatMap((s) => PATHS.map((p) => [s, p] as const)))('votes and strength (%s, %s)', (storeName, path) => {
  let store: TestStore;
  let server: CruxServer;
  const call: typeof callDebateRoute = (handler, debateId, opts = {}) =>
    path === 'fast path' && VOTE_HANDLERS.has(handler)
      ? callOverHttp(server, `/api/debates/${encodeURIComponent(debateId)}/votes`, opts)
      : callDebateRoute(handler, debateId, opts);
  let alice: { cookie: string; userId: string };
  let bob: { cookie: string; userId: string };
  let carol: { cookie: string; userId: string };

  const thesisScore = async (cookie?: string, query = 'semantics=dfquad') =>
    (await json<StrengthDto>(call(strengthRoute.GET, DEBATE, { query, cookie }), 200)).thesis!.score;
  const put = (cookie: string, body: unknown, debateId = DEBATE) => call(votesRoute.PUT, debateId, { method: 'PUT', body, cookie });
  const retract = (cookie: string, targetKind: string, targetId: string) =>
    call(votesRoute.DELETE, DEBATE, { method: 'DELETE', query: `targetKind=${targetKind}&targetId=${targetId}`, cookie });
  const rows = () => server.db.prisma.vote.count();

  beforeAll(async () => {
    store = await createStore(storeName);
    server = await startTestServer(store);
    await storeDebate(server, DEBATE);
    await storeDebate(server, VIEWERS_ONLY);
    await server.db.prisma.debate.update({ where: { id: VIEWERS_ONLY }, data: { publicRole: 'viewer' } });
    alice = await joinGuest(server, 'Alice');
    bob = await joinGuest(server, 'Bob');
    carol = await signUp(server, 'Carol', `carol-${storeName}-${path.replace(' ', '-')}@example.com`);
  });
  afterAll(async () => {
    await server?.close();
    await store?.dispose();
  });

  it('concurrent PUTs by one person leave one row, holding one of the values sent', async () => {
    const values = Array.from({ length: 20 }, (_, i) => i % 5);
    const results = await Promise.all(values.map((value) => put(alice.cookie, { targetKind: 'claim', targetId: 'B', value })));
    expect(results.map((r) => r.status)).toEqual(values.map(() => 200));
    const stored = await server.db.prisma.vote.findMany({ where: { debateId: DEBATE, targetId: 'B' } });
    expect(stored).toHaveLength(1);
    expect(stored[0]!.userKey).toBe(alice.userId);
    const { tallies } = await json<VotesDto>(call(votesRoute.GET, DEBATE), 200);
    expect(tallies.find((t) => t.targetId === 'B')).toMatchObject({ count: 1, mean: stored[0]!.value });
    // The next answer's tally (this instance's running tally, or a fresh count) holds her one vote, not twenty.
    const next = await json<CastVoteResult>(put(bob.cookie, { targetKind: 'claim', targetId: 'B', value: 0 }), 200);
    expect(next.tally.count).toBe(2);
    await json(retract(bob.cookie, 'claim', 'B'), 204);
    await json(retract(alice.cookie, 'claim', 'B'), 204);
  });

  it("answers count one person's concurrent first votes once while this instance keeps a running tally of the target", async () => {
    // Carol's vote counts T's votes; answers in the next TALLY_TTL_MS follow that count instead of counting again.
    await json(put(carol.cookie, { targetKind: 'claim', targetId: 'T', value: 2 }), 200);
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        json<CastVoteResult>(put(alice.cookie, { targetKind: 'claim', targetId: 'T', value: i % 5 }), 200),
      ),
    );
    for (const a of answers) expect(a.tally.count).toBeLessThanOrEqual(2);
    const next = await json<CastVoteResult>(put(bob.cookie, { targetKind: 'claim', targetId: 'T', value: 0 }), 200);
    expect(next.tally.count).toBe(3);
    for (const who of [alice, bob, carol]) await json(retract(who.cookie, 'claim', 'T'), 204);
  });

  it('tallies follow casting, changing and retracting; GET shows the caller their own votes', async () => {
    const first = await json<CastVoteResult>(put(alice.cookie, { targetKind: 'claim', targetId: 'A', value: 4 }), 200);
    expect(first.tally).toEqual({ targetKind: 'claim', targetId: 'A', count: 1, mean: 4, distribution: [0, 0, 0, 0, 1] });
    const second = await json<CastVoteResult>(put(bob.cookie, { targetKind: 'claim', targetId: 'A', value: 1 }), 200);
    expect(second.tally).toMatchObject({ count: 2, mean: 2.5, distribution: [0, 1, 0, 0, 1] });
    // Bob changes his mind: still two votes.
    const changed = await json<CastVoteResult>(put(bob.cookie, { targetKind: 'claim', targetId: 'A', value: 2 }), 200);
    expect(changed.tally).toMatchObject({ count: 2, mean: 3, distribution: [0, 0, 1, 0, 1] });
    expect(changed.vote).toMatchObject({ targetKind: 'claim', targetId: 'A', value: 2 });

    const asBob = await json<VotesDto>(call(votesRoute.GET, DEBATE, { cookie: bob.cookie }), 200);
    expect(asBob.mine.map((v) => [v.targetId, v.value])).toEqual([['A', 2]]);
    expect(asBob.tallies).toEqual([{ targetKind: 'claim', targetId: 'A', count: 2, mean: 3, distribution: [0, 0, 1, 0, 1] }]);
    // A visitor reads the tallies of a public debate but has no votes of their own.
    expect((await json<VotesDto>(call(votesRoute.GET, DEBATE), 200)).mine).toEqual([]);

    await json(retract(bob.cookie, 'claim', 'A'), 204);
    await json(retract(bob.cookie, 'claim', 'A'), 204);
    const after = await json<VotesDto>(call(votesRoute.GET, DEBATE, { cookie: bob.cookie }), 200);
    expect(after.mine).toEqual([]);
    expect(after.tallies).toEqual([{ targetKind: 'claim', targetId: 'A', count: 1, mean: 4, distribution: [0, 0, 0, 0, 1] }]);
    await json(retract(alice.cookie, 'claim', 'A'), 204);
    expect(await rows()).toBe(0);
  });

  it('many people voting at once on the same targets, in every order, are all stored: statements that share rows never deadlock', async () => {
    // Votes that meet in the server go together in one statement (server/services/votes.ts); those statements overlap.
    const id = 'votes-crowd';
    await storeDebate(server, id);
    const people = Array.from({ length: 12 }, (_, i) => `crowd-${i}`);
    const targets = [
      ['claim', 'T'],
      ['claim', 'A'],
      ['claim', 'B'],
      ['relation', 'rA'],
    ] as const;
    const votes = people.flatMap((who, i) =>
      [0, 1, 2].flatMap((round) =>
        targets.map(([targetKind, targetId], k) => ({
          who,
          targetKind,
          targetId,
          value: (i + k + round) % 5,
          order: (i * 7 + k * 3 + round * 5) % 11,
        })),
      ),
    );
    votes.sort((x, y) => x.order - y.order);
    const results = await Promise.allSettled(
      votes.map((v) => castVote(server, id, v.who, { targetKind: v.targetKind, targetId: v.targetId, value: v.value })),
    );
    expect(results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason))).toEqual([]);
    const stored = await server.db.prisma.vote.findMany({ where: { debateId: id } });
    expect(stored).toHaveLength(people.length * targets.length);
    for (const row of stored) {
      const sent = votes.filter((v) => v.who === row.userKey && v.targetId === row.targetId).map((v) => v.value);
      expect(sent).toContain(row.value);
    }
    const { tallies } = await json<VotesDto>(call(votesRoute.GET, id), 200);
    expect(tallies.map((t) => t.count)).toEqual(targets.map(() => people.length));

    // The sharpest case: while four votes are being written, everyone votes twice, the second
    // time in reverse order; the two statements that follow hold the same rows and run at once.
    const many = Array.from({ length: 60 }, (_, i) => `many-${i}`);
    for (let round = 0; round < 5; round++) {
      const fillers = [0, 1, 2, 3].map((k) =>
        castVote(server, id, `filler-${k}`, { targetKind: 'claim', targetId: 'A', value: round % 5 }),
      );
      const once = many.map((who) => castVote(server, id, who, { targetKind: 'claim', targetId: 'T', value: round % 5 }));
      const again = [...people]
        .reverse()
        .map((who) => castVote(server, id, who, { targetKind: 'claim', targetId: 'T', value: (round + 1) % 5 }));
      const settled = await Promise.allSettled([...fillers, ...once, ...again]);
      expect(settled.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason))).toEqual([]);
    }
    // The suites below count every vote row.
    await server.db.prisma.debate.delete({ where: { id } });
  });

  it('relation votes on a debate no room holds read its stored document once per change: another instance deleting the relation is seen at once', async () => {
    const id = `stored-relations-${storeName}-${path.replace(' ', '-')}`;
    await storeDebate(server, id);
    const sql = server.db.sql;
    const loads = countTransactions(server);
    try {
      await json(put(alice.cookie, { targetKind: 'relation', targetId: 'rA', value: 3 }, id), 200);
      expect(loads.count).toBe(1);
      // Unchanged store: no second read of the document.
      await json(put(bob.cookie, { targetKind: 'relation', targetId: 'rB', value: 1 }, id), 200);
      await json(put(alice.cookie, { targetKind: 'relation', targetId: 'rA', value: 4 }, id), 200);
      expect(loads.count).toBe(1);
    } finally {
      loads.restore();
    }
    // Another instance (no room here) deletes rA: one log row.
    const doc = new Y.Doc();
    for (const u of (await new SqlDocStore(sql).load(id)).updates) Y.applyUpdate(doc, u);
    const before = Y.encodeStateVector(doc);
    deleteRelations(doc, ['rA']);
    await new SqlDocStore(sql).append([{ debateId: id, data: Y.encodeStateAsUpdate(doc, before) }]);
    doc.destroy();
    const refused = await json<ErrorBody>(put(bob.cookie, { targetKind: 'relation', targetId: 'rA', value: 2 }, id), 422);
    expect(refused.error.fields?.map((f) => [f.field, f.message])).toEqual([['targetId', 'no relation rA in this debate']]);
    await json(put(bob.cookie, { targetKind: 'relation', targetId: 'rB', value: 2 }, id), 200);
    // The suites below count every vote row.
    await server.db.prisma.debate.delete({ where: { id } });
  });

  it('refuses unknown and deleted claims, unknown relations and bad values, storing nothing', async () => {
    const fieldsOf = async (body: unknown, status: number) =>
      (await json<ErrorBody>(put(alice.cookie, body), status)).error.fields?.map((f) => [f.field, f.message]);
    expect(await fieldsOf({ targetKind: 'claim', targetId: 'nope', value: 2 }, 422)).toEqual([
      ['targetId', 'no claim nope in this debate'],
    ]);
    expect(await fieldsOf({ targetKind: 'claim', targetId: 'D', value: 2 }, 422)).toEqual([['targetId', 'claim D was deleted']]);
    expect(await fieldsOf({ targetKind: 'relation', targetId: 'rX', value: 2 }, 422)).toEqual([
      ['targetId', 'no relation rX in this debate'],
    ]);
    // A claim id is not a relation id.
    expect(await fieldsOf({ targetKind: 'relation', targetId: 'A', value: 2 }, 422)).toEqual([
      ['targetId', 'no relation A in this debate'],
    ]);
    expect((await fieldsOf({ targetKind: 'claim', targetId: 'A', value: 5 }, 400))?.map(([f]) => f)).toEqual(['value']);
    expect((await fieldsOf({ targetKind: 'claim', targetId: 'A', value: 2.5 }, 400))?.map(([f]) => f)).toEqual(['value']);
    expect((await fieldsOf({ targetKind: 'premise', targetId: 'A', value: 2 }, 400))?.map(([f]) => f)).toEqual(['targetKind']);
    expect(await rows()).toBe(0);
  });

  it('refuses visitors (401) and viewers (403), storing nothing', async () => {
    const body = { targetKind: 'claim', targetId: 'A', value: 3 };
    expect((await json<ErrorBody>(call(votesRoute.PUT, DEBATE, { method: 'PUT', body }), 401)).error.code).toBe('unauthorized');
    expect((await json<ErrorBody>(put(alice.cookie, body, VIEWERS_ONLY), 403)).error.message).toMatch(/viewer/);
    await json(
      call(votesRoute.DELETE, VIEWERS_ONLY, { method: 'DELETE', query: 'targetKind=claim&targetId=A', cookie: alice.cookie }),
      403,
    );
    expect(await rows()).toBe(0);
    // Viewers still read tallies and scores.
    await json(call(votesRoute.GET, VIEWERS_ONLY, { cookie: alice.cookie }), 200);
    await json(call(strengthRoute.GET, VIEWERS_ONLY, { cookie: alice.cookie }), 200);
  });

  it('publishes a votes event on every change', async () => {
    const events: LiveEvent[] = [];
    const off = server.live.subscribe(DEBATE, (e) => events.push(e));
    try {
      const t0 = performance.now();
      await json(put(carol.cookie, { targetKind: 'claim', targetId: 'B', value: 3 }), 200);
      await waitFor(() => events.some((e) => e.topic === 'votes'), 1000, 'votes event');
      expect(performance.now() - t0).toBeLessThan(1000);
      events.length = 0;
      await json(retract(carol.cookie, 'claim', 'B'), 204);
      await waitFor(() => events.some((e) => e.topic === 'votes'), 1000, 'votes event after retract');
    } finally {
      off();
    }
  });

  it('announces a burst of votes in a few events spaced VOTES_EVENT_SPACING_MS apart, one of them for the last round', async () => {
    await new Promise((r) => setTimeout(r, VOTES_EVENT_SPACING_MS * 2)); // the previous test's event is over
    const at: number[] = [];
    const off = server.live.subscribe(DEBATE, (e) => {
      if (e.topic === 'votes') at.push(performance.now());
    });
    try {
      const voters = [alice, bob, carol];
      const t0 = performance.now();
      let lastRound = t0;
      for (let round = 0; round < 10; round++) {
        lastRound = performance.now();
        await Promise.all(voters.map((v, i) => json(put(v.cookie, { targetKind: 'claim', targetId: 'A', value: (round + i) % 5 }), 200)));
      }
      const lastVote = performance.now();
      await waitFor(() => at.some((t) => t >= lastRound), 2000, 'an event for the last round of votes');
      await new Promise((r) => setTimeout(r, VOTES_EVENT_SPACING_MS * 2));
      // One event at once, then at most one per interval while the burst lasts, then one more.
      expect(at.length).toBeGreaterThanOrEqual(1);
      expect(at.length).toBeLessThanOrEqual(Math.ceil((lastVote - t0) / VOTES_EVENT_SPACING_MS) + 2);
      for (let i = 1; i < at.length; i++) expect(at[i]! - at[i - 1]!).toBeGreaterThanOrEqual(VOTES_EVENT_SPACING_MS - 15);
    } finally {
      off();
    }
    for (const who of [alice, bob, carol]) await json(retract(who.cookie, 'claim', 'A'), 204);
  });

  it('moves the thesis score the way the votes say (hand-checked DF-QuAD)', async () => {
    // No votes: every base score is 0.5, A supports and B attacks with 0.5 each, so they cancel.
    expect(await thesisScore()).toBeCloseTo(0.5, 9);
    // Full agreement with A: support F = 1, attack F = 0.5, T = 0.5 + 0.5·(1 − 0.5) = 0.75.
    await json(put(alice.cookie, { targetKind: 'claim', targetId: 'A', value: 4 }), 200);
    expect(await thesisScore()).toBeCloseTo(0.75, 9);
    // rA judged half relevant (impact 2 → weight 0.5): support F = 0.5, cancelling the attack again.
    await json(put(bob.cookie, { targetKind: 'relation', targetId: 'rA', value: 2 }), 200);
    expect(await thesisScore()).toBeCloseTo(0.5, 9);
    // Full agreement with the attacker B: attack F = 1 > support 0.5, T = 0.5 − 0.5·0.5 = 0.25.
    await json(put(carol.cookie, { targetKind: 'claim', targetId: 'B', value: 4 }), 200);
    expect(await thesisScore()).toBeCloseTo(0.25, 9);
    // Quadratic energy moves the same way: E = 0.5 − 1 < 0 lowers T below 0.5.
    expect(await thesisScore(undefined, 'semantics=quadratic-energy')).toBeLessThan(0.5);

    const report = await json<StrengthDto>(call(strengthRoute.GET, DEBATE), 200);
    expect(report).toMatchObject({ semantics: 'dfquad', perspective: 'everyone', converged: true, cycles: [] });
    expect(report.thesis?.claimId).toBe('T');
    expect(Object.keys(report.scores).sort()).toEqual(['A', 'B', 'T']);
    expect(report.inputs).toEqual({ agreementTallies: 2, impactTallies: 1, credibilityTallies: 0 });
    expect(report.cruxes.length).toBeLessThanOrEqual(5);

    // Alice's own perspective sees only her vote on A: 0.75 as above. Others' perspectives are private.
    expect(await thesisScore(alice.cookie, `perspective=user:${alice.userId}`)).toBeCloseTo(0.75, 9);
    await json(call(strengthRoute.GET, DEBATE, { query: `perspective=user:${bob.userId}`, cookie: alice.cookie }), 403);

    const explained = await json<ExplainDto>(call(explainRoute.GET, DEBATE, { query: 'claimId=T' }), 200);
    expect(explained.explanation.score).toBeCloseTo(0.25, 9);
    expect(explained.explanation.arguments.map((a) => a.kind).sort()).toEqual(['attacks', 'supports']);
    await json(call(explainRoute.GET, DEBATE, { query: 'claimId=D' }), 404);
    await json(call(strengthRoute.GET, DEBATE, { query: 'semantics=magic' }), 400);
  });
});

describe('the live bus at shutdown', () => {
  it('an event published after the bus closed still reaches other instances while the database is open, then is dropped quietly', async () => {
    const store = await createStore('pglite');
    try {
      const server = await startTestServer(store);
      // Two buses on one database: two instances' (each skips its own echo).
      const closing = await startLiveBus(server.db);
      const other = await startLiveBus(server.db);
      const heard: LiveEvent[] = [];
      const unsubscribe = other.subscribe('shutdown-bus', (e) => heard.push(e));
      const errors = vi.spyOn(console, 'error');
      try {
        await closing.close();
        await closing.publish({ debateId: 'shutdown-bus', topic: 'votes' });
        await waitFor(() => heard.length === 1, 5_000, 'the event on the other instance');
        unsubscribe();
        await other.close();
        await server.close();
        // The pool is gone now: the event cannot go anywhere, and says nothing.
        await closing.publish({ debateId: 'shutdown-bus', topic: 'votes' });
        expect(errors.mock.calls.map((c) => c.map(String).join(' '))).toEqual([]);
      } finally {
        errors.mockRestore();
      }
    } finally {
      await store.dispose();
    }
  });
});
