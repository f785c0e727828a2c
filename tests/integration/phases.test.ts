import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import * as decoding from 'lib0/decoding';
import { addClaim, addRelation, claimsMap } from '../../lib/model/doc';
import { CloseCode, MessageType, type StatusMessage } from '../../lib/protocol';
import type { AccessInfo } from '../../lib/schemas/access';
import type { PhaseDto, StandingsDto } from '../../lib/schemas/phase';
import type { ExplainDto, StrengthDto } from '../../lib/schemas/votes';
import type { CruxServer } from '../../server/app';
import type { ErrorBody } from '../../server/http/errors';
import type { LiveEvent } from '../../server/live/bus';
import { readProjectedClaims, writeProjection } from '../../server/projection/claims';
import * as phaseRoute from '../../app/api/debates/[id]/phase/route';
import * as standingRoute from '../../app/api/debates/[id]/standing/route';
import * as votesRoute from '../../app/api/debates/[id]/votes/route';
import * as strengthRoute from '../../app/api/debates/[id]/strength/route';
import * as explainRoute from '../../app/api/debates/[id]/strength/explain/route';
import * as accessRoute from '../../app/api/debates/[id]/access/route';
import * as sourcesRoute from '../../app/api/debates/[id]/sources/route';
import {
  STORES,
  connectClient,
  createDebateRow,
  createStore,
  joinGuest,
  signUp,
  startTestServer,
  storedDoc,
  synced,
  waitFor,
  type TestStore,
  callDebateRoute,
  expectJson,
} from './harness';

/*
 * Debate phases through the real route handlers and the real sync socket: who may move a debate
 * between open, voting and closed, what each phase allows (votes over HTTP, map edits over the
 * socket), the standing recorded at each closing, and perspectives (whose votes the scores use).
 */

type User = { cookie: string; userId: string };
const call = callDebateRoute;
const json = expectJson;

/** Thesis T, claim A supporting it (rA), claim B attacking it (rB), stored and projected as the server would. */
async function storeDebate(server: CruxServer, id: string): Promise<void> {
  await createDebateRow(server, id);
  const doc = new Y.Doc();
  addClaim(doc, { id: 'T', text: 'Thesis', kind: 'thesis', x: 0, y: 0, author: 'test', now: 1 });
  addClaim(doc, { id: 'A', text: 'Pro', x: 0, y: 100, author: 'test', now: 2 });
  addClaim(doc, { id: 'B', text: 'Con', x: 100, y: 100, author: 'test', now: 3 });
  addRelation(doc, { id: 'rA', from: 'A', to: 'T', kind: 'supports', author: 'test' });
  addRelation(doc, { id: 'rB', from: 'B', to: 'T', kind: 'attacks', author: 'test' });
  await server.db.sql.transaction((tx) => writeProjection(tx, id, readProjectedClaims(doc)));
  await server.db.prisma.docSnapshot.create({ data: { debateId: id, data: new Uint8Array(Y.encodeStateAsUpdate(doc)) } });
  doc.destroy();
}

describe.each(STORES)('debate phases (%s)', (storeName) => {
  let store: TestStore;
  let server: CruxServer;
  /** A participant (the public role). */
  let alice: User;
  /** A moderator of every debate here. */
  let mod: User;
  /** Members of team TM. */
  let carol: User;
  let dave: User;
  let teamId: string;

  const setPhase = (debateId: string, body: unknown, cookie?: string) => call(phaseRoute.PUT, debateId, { method: 'PUT', body, cookie });
  const vote = (debateId: string, cookie: string, targetId: string, value: number, targetKind = 'claim') =>
    call(votesRoute.PUT, debateId, { method: 'PUT', body: { targetKind, targetId, value }, cookie });
  const phaseOf = async (debateId: string) =>
    (await server.db.prisma.debate.findUniqueOrThrow({ where: { id: debateId }, select: { phase: true } })).phase;
  const thesis = async (debateId: string, query: string, cookie?: string) =>
    (await json<StrengthDto>(call(strengthRoute.GET, debateId, { query, cookie }), 200)).thesis!.score;

  async function newDebate(id: string): Promise<void> {
    await storeDebate(server, id);
    await server.db.prisma.debateMember.create({ data: { debateId: id, userId: mod.userId, role: 'moderator' } });
  }

  beforeAll(async () => {
    store = await createStore(storeName);
    server = await startTestServer(store);
    alice = await joinGuest(server, 'Alice');
    mod = await signUp(server, 'Mo', `mo-${storeName}@example.com`);
    carol = await signUp(server, 'Carol', `carol-${storeName}@example.com`);
    dave = await joinGuest(server, 'Dave');
    teamId = 'team-tm';
    await server.db.prisma.team.create({
      data: {
        id: teamId,
        name: 'TM',
        members: {
          create: [
            { userId: carol.userId, role: 'owner' },
            { userId: dave.userId, role: 'participant' },
          ],
        },
      },
    });
  });
  afterAll(async () => {
    await server?.close();
    await store?.dispose();
  });

  it('starts open; only moderators change the phase; bad and no-op requests change nothing', async () => {
    await newDebate('p1');
    expect(await json<PhaseDto>(call(phaseRoute.GET, 'p1'), 200)).toEqual({ phase: 'open', standing: null });
    const access = await json<AccessInfo>(call(accessRoute.GET, 'p1', { cookie: alice.cookie }), 200);
    expect(access.phase).toBe('open');
    expect(access.access.phase).toBe('open');
    expect(access.actions).toEqual(expect.arrayContaining(['map.edit', 'vote.cast']));
    expect(access.actions).not.toContain('debate.phase');

    expect((await json<ErrorBody>(setPhase('p1', { phase: 'voting' }), 401)).error.code).toBe('unauthorized');
    expect((await json<ErrorBody>(setPhase('p1', { phase: 'voting' }, alice.cookie), 403)).error.message).toMatch(/participant/);
    const bad = await json<ErrorBody>(setPhase('p1', { phase: 'frozen' }, mod.cookie), 400);
    expect(bad.error.fields?.map((f) => f.field)).toEqual(['phase']);
    const badSemantics = await json<ErrorBody>(setPhase('p1', { phase: 'closed', semantics: 'magic' }, mod.cookie), 400);
    expect(badSemantics.error.fields?.map((f) => f.field)).toEqual(['semantics']);
    expect((await json<ErrorBody>(setPhase('p1', {}, mod.cookie), 400)).error.fields?.map((f) => f.field)).toEqual(['phase']);
    const same = await json<ErrorBody>(setPhase('p1', { phase: 'open' }, mod.cookie), 409);
    expect(same.error.fields).toEqual([{ field: 'phase', message: 'already open' }]);
    await json(setPhase('nope', { phase: 'voting' }, mod.cookie), 404);

    expect(await phaseOf('p1')).toBe('open');
    expect(await server.db.prisma.auditEntry.count({ where: { debateId: 'p1', action: 'debate.phase' } })).toBe(0);
    expect(await server.db.prisma.debateStanding.count({ where: { debateId: 'p1' } })).toBe(0);

    // Any phase to any other, each audited.
    for (const phase of ['voting', 'open', 'closed', 'voting', 'closed', 'open'] as const)
      expect((await json<PhaseDto>(setPhase('p1', { phase }, mod.cookie), 200)).phase).toBe(phase);
    const audited = await server.db.prisma.auditEntry.findMany({
      where: { debateId: 'p1', action: 'debate.phase' },
      orderBy: { id: 'asc' },
    });
    expect(audited.map((a) => a.detail)).toEqual([
      { from: 'open', to: 'voting' },
      { from: 'voting', to: 'open' },
      { from: 'open', to: 'closed' },
      { from: 'closed', to: 'voting' },
      { from: 'voting', to: 'closed' },
      { from: 'closed', to: 'open' },
    ]);
    expect(audited.every((a) => a.actorId === mod.userId)).toBe(true);
    expect(await server.db.prisma.debateStanding.count({ where: { debateId: 'p1' } })).toBe(2);
  });

  it('voting: votes are accepted, map edits are refused on open sockets (moderators too), everyone is told at once', async () => {
    await newDebate('p2');
    const c = connectClient(server, 'p2', new Y.Doc(), { cookie: alice.cookie, params: { client: 'crux' } });
    const statuses: StatusMessage[] = [];
    const closes: number[] = [];
    c.provider.messageHandlers[MessageType.Status] = (_enc, dec) => {
      statuses.push(JSON.parse(decoding.readVarString(dec)) as StatusMessage);
    };
    c.provider.on('connection-close', (e: CloseEvent | null) => {
      if (e) closes.push(e.code);
    });
    await synced(c.provider);
    const room = (await server.rooms.peek('p2')!).doc;
    addClaim(c.doc, { id: 'while-open', text: 'fine', x: 0, y: 0, author: 'alice' });
    await waitFor(() => claimsMap(room).has('while-open'), 2000, 'the open write');

    const events: LiveEvent[] = [];
    const off = server.live.subscribe('p2', (e) => events.push(e));
    try {
      const t0 = performance.now();
      expect(await json<PhaseDto>(setPhase('p2', { phase: 'voting' }, mod.cookie), 200)).toEqual({ phase: 'voting', standing: null });
      await waitFor(() => events.some((e) => e.topic === 'phase') && events.some((e) => e.topic === 'access'), 1000, 'phase events');
      expect(performance.now() - t0).toBeLessThan(1000);
    } finally {
      off();
    }
    // The socket was re-checked before the PUT returned: the status frame is already on its way.
    await waitFor(() => statuses.some((s) => s.kind === 'rejected'), 2000, 'read-only status');
    expect(statuses.find((s) => s.kind === 'rejected')).toEqual({
      kind: 'rejected',
      reason: 'read-only',
      detail: 'the debate is in its voting phase: the map is frozen',
    });
    addClaim(c.doc, { id: 'while-voting', text: 'refused', x: 0, y: 0, author: 'alice' });
    await waitFor(() => closes.length > 0, 2000, 'close after a write in the voting phase');
    expect(closes[0]).toBe(CloseCode.Forbidden);
    c.provider.destroy();

    // Phases freeze the map for moderators too (lib/permissions: a phase is not a lock).
    const m = connectClient(server, 'p2', new Y.Doc(), { cookie: mod.cookie });
    const modCloses: number[] = [];
    m.provider.on('connection-close', (e: CloseEvent | null) => {
      if (e) modCloses.push(e.code);
    });
    await synced(m.provider);
    addClaim(m.doc, { id: 'mod-while-voting', text: 'refused too', x: 0, y: 0, author: 'mo' });
    await waitFor(() => modCloses.length > 0, 2000, 'moderator refused');
    expect(modCloses[0]).toBe(CloseCode.Forbidden);
    m.provider.destroy();

    await waitFor(() => server.writer.pending === 0);
    const stored = claimsMap(await storedDoc(server, 'p2'));
    expect(stored.has('while-open')).toBe(true);
    expect(stored.has('while-voting')).toBe(false);
    expect(stored.has('mod-while-voting')).toBe(false);

    const access = await json<AccessInfo>(call(accessRoute.GET, 'p2', { cookie: alice.cookie }), 200);
    expect(access.phase).toBe('voting');
    expect(access.actions).toContain('vote.cast');
    expect(access.actions).not.toContain('map.edit');
    // Evidence is content too: frozen with the map.
    const source = await json<ErrorBody>(
      call(sourcesRoute.POST, 'p2', { method: 'POST', body: { title: 'Late', url: 'https://example.org/late' }, cookie: alice.cookie }),
      403,
    );
    expect(source.error.message).toMatch(/phase-voting/);
    expect(await server.db.prisma.source.count({ where: { debateId: 'p2' } })).toBe(0);
    await json(vote('p2', alice.cookie, 'A', 4), 200);
    await json(vote('p2', alice.cookie, 'rA', 3, 'relation'), 200);
    await json(call(votesRoute.DELETE, 'p2', { method: 'DELETE', query: 'targetKind=relation&targetId=rA', cookie: alice.cookie }), 204);

    // Re-opened: the same kind of socket writes again.
    await json(setPhase('p2', { phase: 'open' }, mod.cookie), 200);
    const again = connectClient(server, 'p2', new Y.Doc(), { cookie: alice.cookie });
    await synced(again.provider);
    addClaim(again.doc, { id: 'reopened', text: 'fine again', x: 0, y: 0, author: 'alice' });
    const room2 = (await server.rooms.peek('p2')!).doc;
    await waitFor(() => claimsMap(room2).has('reopened'), 2000, 'write after re-opening');
    again.provider.destroy();
  });

  it('closing records the standing (one row per closing) and refuses votes with 403 phase-closed', async () => {
    await newDebate('p3');
    await json(vote('p3', alice.cookie, 'A', 4), 200);
    // Full agreement with A, no other votes: T = 0.5 + 0.5·(1 − 0.5) = 0.75 (see votes.test.ts).
    const closed = await json<PhaseDto>(setPhase('p3', { phase: 'closed' }, mod.cookie), 200);
    expect(closed.phase).toBe('closed');
    expect(closed.standing).toMatchObject({
      debateId: 'p3',
      closedBy: { id: mod.userId, name: 'Mo' },
      semantics: 'dfquad',
      thesis: { claimId: 'T' },
      voteCount: 1,
    });
    expect(closed.standing!.thesis!.score).toBeCloseTo(0.75, 9);
    expect(Object.keys(closed.standing!.scores).sort()).toEqual(['A', 'B', 'T']);
    expect(closed.standing!.scores.A).toBeCloseTo(1, 9);

    const refused = await json<ErrorBody>(vote('p3', alice.cookie, 'B', 4), 403);
    expect(refused.error).toMatchObject({ code: 'forbidden' });
    expect(refused.error.message).toMatch(/phase-closed/);
    const retract = await json<ErrorBody>(
      call(votesRoute.DELETE, 'p3', { method: 'DELETE', query: 'targetKind=claim&targetId=A', cookie: alice.cookie }),
      403,
    );
    expect(retract.error.message).toMatch(/phase-closed/);
    // Moderators cannot vote in a closed debate either.
    await json(vote('p3', mod.cookie, 'B', 4), 403);
    expect(await server.db.prisma.vote.findMany({ where: { debateId: 'p3' }, select: { targetId: true, value: true } })).toEqual([
      { targetId: 'A', value: 4 },
    ]);
    const access = await json<AccessInfo>(call(accessRoute.GET, 'p3', { cookie: alice.cookie }), 200);
    expect(access.actions).not.toContain('vote.cast');

    // Re-open, vote, close again under the other semantics: a second row; the first is kept.
    await json(setPhase('p3', { phase: 'open' }, mod.cookie), 200);
    expect((await json<PhaseDto>(call(phaseRoute.GET, 'p3'), 200)).standing?.id).toBe(closed.standing!.id);
    await json(vote('p3', mod.cookie, 'B', 4), 200);
    const second = await json<PhaseDto>(setPhase('p3', { phase: 'closed', semantics: 'quadratic-energy' }, mod.cookie), 200);
    expect(second.standing).toMatchObject({ semantics: 'quadratic-energy', voteCount: 2 });
    // A and B both fully agreed, equal weights: the support and the attack cancel.
    expect(second.standing!.thesis!.score).toBeCloseTo(0.5, 9);
    const list = await json<StandingsDto>(call(standingRoute.GET, 'p3'), 200);
    expect(list.items.map((s) => s.id)).toEqual([second.standing!.id, closed.standing!.id]);
    expect((await json<StandingsDto>(call(standingRoute.GET, 'p3', { query: 'limit=1' }), 200)).items).toHaveLength(1);
    const badLimit = await json<ErrorBody>(call(standingRoute.GET, 'p3', { query: 'limit=0' }), 400);
    expect(badLimit.error.fields?.map((f) => f.field)).toEqual(['limit']);
    expect((await json<PhaseDto>(call(phaseRoute.GET, 'p3'), 200)).standing?.id).toBe(second.standing!.id);
  });

  it('a closing racing with votes records exactly the votes that were accepted', async () => {
    await newDebate('p4');
    const voters = await Promise.all(Array.from({ length: 12 }, (_, i) => joinGuest(server, `Voter ${i}`)));
    const votes = voters.map((v, i) => vote('p4', v.cookie, i % 2 ? 'A' : 'B', i % 5).then((r) => r.status));
    const closing = json<PhaseDto>(setPhase('p4', { phase: 'closed' }, mod.cookie), 200);
    const [statuses, closed] = await Promise.all([Promise.all(votes), closing]);
    expect(statuses.every((s) => s === 200 || s === 403)).toBe(true);
    const accepted = statuses.filter((s) => s === 200).length;
    expect(await server.db.prisma.vote.count({ where: { debateId: 'p4' } })).toBe(accepted);
    expect(closed.standing!.voteCount).toBe(accepted);
  });

  it('perspectives: everyone, one person, one team; who may see which; bad ones are 400/422', async () => {
    await newDebate('p5');
    await json(vote('p5', alice.cookie, 'A', 0), 200);
    await json(vote('p5', carol.cookie, 'A', 4), 200);
    await json(vote('p5', dave.cookie, 'B', 4), 200);
    await json(vote('p5', dave.cookie, 'A', 4), 200);

    const team = `perspective=team:${teamId}`;
    // Carol and Dave: A and B fully agreed, cancelling.
    expect(await thesis('p5', team, carol.cookie)).toBeCloseTo(0.5, 9);
    expect(await thesis('p5', team, dave.cookie)).toBeCloseTo(0.5, 9);
    expect(await thesis('p5', team, mod.cookie)).toBeCloseTo(0.5, 9);
    // Carol alone: A fully agreed, B unvoted (0.5): 0.75.
    expect(await thesis('p5', `perspective=user:${carol.userId}`, carol.cookie)).toBeCloseTo(0.75, 9);
    expect(await thesis('p5', `perspective=user:${carol.userId}`, mod.cookie)).toBeCloseTo(0.75, 9);
    // Alice alone: A fully rejected (base 0, so no support), B at 0.5: 0.5 − 0.5·0.5 = 0.25.
    expect(await thesis('p5', `perspective=user:${alice.userId}`, alice.cookie)).toBeCloseTo(0.25, 9);
    const report = await json<StrengthDto>(call(strengthRoute.GET, 'p5', { query: team, cookie: carol.cookie }), 200);
    expect(report.perspective).toBe(`team:${teamId}`);
    expect(report.inputs.agreementTallies).toBe(2);
    const explained = await json<ExplainDto>(call(explainRoute.GET, 'p5', { query: `claimId=T&${team}`, cookie: dave.cookie }), 200);
    expect(explained.explanation.score).toBeCloseTo(0.5, 9);

    // Not a member, not a moderator, debate open: refused, whether or not the team exists.
    await json(call(strengthRoute.GET, 'p5', { query: team, cookie: alice.cookie }), 403);
    await json(call(strengthRoute.GET, 'p5', { query: 'perspective=team:nosuchteam', cookie: alice.cookie }), 403);
    await json(call(strengthRoute.GET, 'p5', { query: `perspective=user:${carol.userId}`, cookie: alice.cookie }), 403);
    await json(call(explainRoute.GET, 'p5', { query: `claimId=T&perspective=user:${carol.userId}`, cookie: alice.cookie }), 403);
    await json(call(strengthRoute.GET, 'p5', { query: `perspective=user:${carol.userId}` }), 401);

    const field = async (query: string, status: number) =>
      (await json<ErrorBody>(call(strengthRoute.GET, 'p5', { query, cookie: mod.cookie }), status)).error.fields?.map((f) => [
        f.field,
        f.message,
      ]);
    expect(await field('perspective=team:nosuchteam', 422)).toEqual([['perspective', 'no team nosuchteam']]);
    expect(await field('perspective=user:nosuchuser', 422)).toEqual([['perspective', 'no user nosuchuser']]);
    for (const bad of ['perspective=bogus', 'perspective=team:', 'perspective=user:a%20b', 'perspective=group:x'])
      expect((await field(bad, 400))?.map(([f]) => f)).toEqual(['perspective']);

    // Closed: individual and team perspectives are open to every reader.
    await json(setPhase('p5', { phase: 'closed' }, mod.cookie), 200);
    expect(await thesis('p5', `perspective=user:${carol.userId}`, alice.cookie)).toBeCloseTo(0.75, 9);
    expect(await thesis('p5', team, alice.cookie)).toBeCloseTo(0.5, 9);
    expect(await thesis('p5', 'perspective=everyone')).toBeGreaterThan(0);
  });

  it('votes are rate limited per person: 429 with Retry-After, nothing stored past the limit', async () => {
    await newDebate('p6');
    const eve = await joinGuest(server, 'Eve');
    // Batches in parallel, so that the bucket's refill (2 per second) cannot keep up even on a slow machine.
    const accepted = new Set<number>();
    let limited: Response | undefined;
    for (let batch = 0; !limited && batch < 20; batch++) {
      const values = Array.from({ length: 25 }, (_, i) => (batch * 25 + i) % 5);
      const results = await Promise.all(values.map((v) => vote('p6', eve.cookie, 'A', v)));
      results.forEach((r, i) => {
        if (r.status === 200) accepted.add(values[i]!);
        else if (r.status === 429) limited ??= r;
        else expect(r.status).toBe(200);
      });
    }
    expect(limited).toBeDefined();
    expect(Number(limited!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(((await limited!.json()) as ErrorBody).error.code).toBe('rate_limited');
    const before = await server.db.prisma.vote.findMany({ where: { debateId: 'p6' }, select: { value: true, updatedAt: true } });
    expect(before).toHaveLength(1);
    expect(accepted.has(before[0]!.value)).toBe(true);
    // A burst of one new value: the refill (2 per second) may let one through on a slow machine,
    // so the check is on what was stored: unchanged if all were refused, the new value otherwise.
    const next = (before[0]!.value + 1) % 5;
    const burst = await Promise.all(Array.from({ length: 6 }, () => vote('p6', eve.cookie, 'A', next)));
    for (const r of burst) expect([200, 429]).toContain(r.status);
    expect(burst.filter((r) => r.status === 429).length).toBeGreaterThanOrEqual(4);
    const after = await server.db.prisma.vote.findMany({ where: { debateId: 'p6' }, select: { value: true, updatedAt: true } });
    if (burst.every((r) => r.status === 429)) expect(after).toEqual(before);
    else expect(after.map((v) => v.value)).toEqual([next]);
  });
});
