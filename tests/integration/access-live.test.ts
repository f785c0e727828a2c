import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as encoding from 'lib0/encoding';
import { WebSocket } from 'ws';
import { MessageType } from '../../lib/protocol';
import { ANONYMOUS_NAME, colourFor } from '../../lib/presence';
import type { CruxServer } from '../../server/app';
import { createDebate } from '../../server/services/debates';
import * as eventsRoute from '../../app/api/debates/[id]/events/route';
import * as memberRoute from '../../app/api/debates/[id]/members/[userId]/route';
import * as teamRoute from '../../app/api/teams/[id]/route';
import * as teamsRoute from '../../app/api/teams/route';
import * as evidenceRoute from '../../app/api/debates/[id]/evidence/route';
import * as summaryRoute from '../../app/api/debates/[id]/evidence/summary/route';
import * as searchRoute from '../../app/api/debates/[id]/search/route';
import * as hiddenRoute from '../../app/api/debates/[id]/hidden/route';
import { AGI_DEBATE } from '../../lib/seed/agi';
import { seedAgiDebate } from '../../server/services/seed';
import {
  STORES,
  connectClient,
  createStore,
  signUp,
  socketWithHeaders,
  startTestServer,
  synced,
  waitFor,
  type TestStore,
  readEvents,
} from './harness';

/*
 * Access that must hold after a connection opened: presence names on the sync socket, live
 * event streams that lose access, and deleting teams.
 */

const ORIGIN = 'http://crux.test';
let ipSeq = 1;

function request(method: string, path: string, cookie: string | undefined, body?: unknown, signal?: AbortSignal): Request {
  return new Request(`${ORIGIN}${path}`, {
    method,
    signal,
    headers: {
      'x-crux-client-ip': `192.0.2.${ipSeq++ % 250}`,
      ...(cookie ? { cookie } : {}),
      ...(method === 'GET' ? {} : { origin: ORIGIN }),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

const params = <T extends Record<string, string>>(p: T) => ({ params: Promise.resolve(p) });

/** An awareness frame as a client sends it. */
function awarenessFrame(update: Uint8Array): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, MessageType.Awareness);
  encoding.writeVarUint8Array(e, update);
  return encoding.toUint8Array(e);
}

describe.each(STORES)('live access (%s)', (storeName) => {
  let store: TestStore;
  let server: CruxServer;
  let alice: { cookie: string; userId: string };
  let bob: { cookie: string; userId: string };
  let carol: { cookie: string; userId: string };

  beforeAll(async () => {
    store = await createStore(storeName);
    server = await startTestServer(store);
    alice = await signUp(server, 'Alice', 'alice@example.com');
    bob = await signUp(server, 'Bob', 'bob@example.com');
    carol = await signUp(server, 'Carol', 'carol@example.com');
    await createDebate(server.db.prisma, { title: 'public' }, 'pub', undefined);
  });
  afterAll(async () => {
    await server?.close();
    await store?.dispose();
  });

  it('cursors carry the account behind the socket: a claimed name or colour is replaced', async () => {
    const a = connectClient(server, 'pub', new Y.Doc(), { cookie: alice.cookie });
    const b = connectClient(server, 'pub', new Y.Doc(), { cookie: bob.cookie });
    const v = connectClient(server, 'pub', new Y.Doc());
    await Promise.all([synced(a.provider), synced(b.provider), synced(v.provider)]);
    a.provider.awareness.setLocalStateField('user', { name: 'Bob', colour: '#000000' });
    a.provider.awareness.setLocalStateField('cursor', { x: 10, y: 20 });
    v.provider.awareness.setLocalStateField('user', { name: 'Moderator', colour: '#ff0000' });
    const seen = (id: number) => b.provider.awareness.getStates().get(id) as { user?: { name: string; colour: string }; cursor?: unknown };
    await waitFor(() => seen(a.doc.clientID)?.cursor !== undefined && seen(v.doc.clientID)?.user !== undefined, 5_000, 'states at Bob');
    expect(seen(a.doc.clientID)!.user).toEqual({ name: 'Alice', colour: colourFor(alice.userId) });
    expect(seen(a.doc.clientID)!.cursor).toEqual({ x: 10, y: 20 });
    expect(seen(v.doc.clientID)!.user!.name).toBe(ANONYMOUS_NAME);
    for (const c of [a, b, v]) c.provider.destroy();
  });

  it("a socket cannot speak for another client's awareness id; the same account may take its id over", async () => {
    const a = connectClient(server, 'pub', new Y.Doc(), { cookie: alice.cookie });
    const watcher = connectClient(server, 'pub', new Y.Doc(), { cookie: carol.cookie });
    await Promise.all([synced(a.provider), synced(watcher.provider)]);
    a.provider.awareness.setLocalStateField('cursor', { x: 1, y: 1 });
    const cursorOf = (id: number) => (watcher.provider.awareness.getStates().get(id) as { cursor?: { x: number } } | undefined)?.cursor;
    await waitFor(() => cursorOf(a.doc.clientID)?.x === 1, 5_000, "Alice's cursor");

    /** A raw socket sending an awareness update for Alice's client id, with a newer clock. */
    const forge = async (cookie: string, x: number) => {
      const fake = new Y.Doc();
      fake.clientID = a.doc.clientID;
      const aw = new awarenessProtocol.Awareness(fake);
      const clock = (a.provider.awareness.meta.get(a.doc.clientID)?.clock ?? 0) + 50;
      aw.meta.set(fake.clientID, { clock: clock - 1, lastUpdated: Date.now() });
      aw.setLocalState({ cursor: { x, y: x } });
      const ws = new (socketWithHeaders({ cookie }))(`ws://127.0.0.1:${server.port}/yjs/pub`);
      await new Promise<void>((resolve) => ws.on('open', () => resolve()));
      ws.send(awarenessFrame(awarenessProtocol.encodeAwarenessUpdate(aw, [fake.clientID])));
      aw.destroy();
      return ws;
    };
    const mallory = await forge(bob.cookie, 666);
    // A later, harmless frame from the same socket proves the forged one was processed first.
    const probe = connectClient(server, 'pub', new Y.Doc(), { cookie: carol.cookie });
    await synced(probe.provider);
    await new Promise((r) => setTimeout(r, 200));
    expect(cursorOf(a.doc.clientID)?.x).toBe(1);
    expect(mallory.readyState).toBe(WebSocket.OPEN);
    mallory.close();

    // Alice again, from a second socket (a reconnect whose old socket has not timed out yet).
    const again = await forge(alice.cookie, 7);
    await waitFor(() => cursorOf(a.doc.clientID)?.x === 7, 5_000, 'takeover by the same account');
    again.close();
    for (const c of [a, watcher, probe]) c.provider.destroy();
  });

  it('an event stream ends with access-revoked when its reader loses access, not only at open', async () => {
    await createDebate(server.db.prisma, { title: 'private', visibility: 'private' }, 'priv', { kind: 'user', userId: alice.userId });
    await server.db.prisma.debateMember.create({ data: { debateId: 'priv', userId: bob.userId, role: 'participant' } });
    const abort = new AbortController();
    const res = await eventsRoute.GET(
      request('GET', '/api/debates/priv/events', bob.cookie, undefined, abort.signal),
      params({ id: 'priv' }),
    );
    expect(res.status).toBe(200);
    const stream = readEvents(res.body!);
    await server.live.publish({ debateId: 'priv', topic: 'sources' });
    await waitFor(() => stream.topics().includes('sources'), 5_000, 'an event while allowed');

    const removed = await memberRoute.DELETE(
      request('DELETE', `/api/debates/priv/members/${bob.userId}`, alice.cookie),
      params({ id: 'priv', userId: bob.userId }),
    );
    expect(removed.status).toBe(204);
    await Promise.race([stream.done, new Promise((_, reject) => setTimeout(() => reject(new Error('stream still open')), 5_000))]);
    expect(stream.topics().at(-1)).toBe('access-revoked');
    expect(server.live.subscriberCount('priv')).toBe(0);
    abort.abort();

    const again = await eventsRoute.GET(request('GET', '/api/debates/priv/events', bob.cookie), params({ id: 'priv' }));
    expect(again.status).toBe(403);
  });

  it('readers do not get evidence or search hits of claims a moderator hid; moderators do', async () => {
    const AGI = AGI_DEBATE.id;
    await seedAgiDebate(server.db.prisma, { onlyIfEmpty: false });
    await server.db.prisma.debateMember.create({ data: { debateId: AGI, userId: carol.userId, role: 'moderator' } });
    const target = AGI_DEBATE.evidence[0]!.claimId;
    const words = AGI_DEBATE.graph.claims
      .find((c) => c.id === target)!
      .text.match(/[A-Za-z]{6,}/g)!
      .slice(0, 2)
      .join(' ');
    const read = async (cookie: string) => {
      const list = (await (
        await evidenceRoute.GET(request('GET', `/api/debates/${AGI}/evidence?claimId=${target}`, cookie), params({ id: AGI }))
      ).json()) as { items: unknown[] };
      const all = (await (
        await evidenceRoute.GET(request('GET', `/api/debates/${AGI}/evidence?limit=100`, cookie), params({ id: AGI }))
      ).json()) as {
        items: { claimId: string }[];
      };
      const summary = (await (
        await summaryRoute.GET(request('GET', `/api/debates/${AGI}/evidence/summary`, cookie), params({ id: AGI }))
      ).json()) as {
        claims: Record<string, unknown>;
      };
      const search = (await (
        await searchRoute.GET(request('GET', `/api/debates/${AGI}/search?q=${encodeURIComponent(words)}`, cookie), params({ id: AGI }))
      ).json()) as { claims: { claimId: string }[] };
      return {
        byClaim: list.items.length,
        inList: all.items.some((e) => e.claimId === target),
        inSummary: target in summary.claims,
        inSearch: search.claims.some((c) => c.claimId === target),
      };
    };
    const visible = { byClaim: expect.any(Number), inList: true, inSummary: true, inSearch: true };
    expect(await read(bob.cookie)).toEqual(visible);
    expect((await read(bob.cookie)).byClaim).toBeGreaterThan(0);

    const hide = await hiddenRoute.POST(
      request('POST', `/api/debates/${AGI}/hidden`, carol.cookie, { claimId: target, hidden: true }),
      params({ id: AGI }),
    );
    expect(hide.status).toBe(200);
    expect(await read(bob.cookie)).toEqual({ byClaim: 0, inList: false, inSummary: false, inSearch: false });
    expect(await read(carol.cookie)).toEqual(visible);

    await hiddenRoute.POST(
      request('POST', `/api/debates/${AGI}/hidden`, carol.cookie, { claimId: target, hidden: false }),
      params({ id: AGI }),
    );
    expect(await read(bob.cookie)).toEqual(visible);
  });

  it('owners rename and delete a team; a team that owns debates is kept (409); others are refused', async () => {
    const created = await teamsRoute.POST(request('POST', '/api/teams', alice.cookie, { name: 'Lab' }));
    expect(created.status).toBe(201);
    const team = (await created.json()) as { id: string };
    await server.db.prisma.teamMember.create({ data: { teamId: team.id, userId: bob.userId, role: 'moderator' } });
    await createDebate(server.db.prisma, { title: 'team debate', visibility: 'team' }, 'teamd', { kind: 'team', teamId: team.id });

    const renameBy = (cookie: string, body: unknown) =>
      teamRoute.PATCH(request('PATCH', `/api/teams/${team.id}`, cookie, body), params({ id: team.id }));
    const deleteBy = (cookie: string) => teamRoute.DELETE(request('DELETE', `/api/teams/${team.id}`, cookie), params({ id: team.id }));

    const bad = await renameBy(alice.cookie, { name: '   ' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toContain('name');
    expect((await renameBy(bob.cookie, { name: 'Mine now' })).status).toBe(403);
    expect((await renameBy(carol.cookie, { name: 'Mine now' })).status).toBe(403);
    const renamed = await renameBy(alice.cookie, { name: 'Lab 2' });
    expect(renamed.status).toBe(200);
    expect(((await renamed.json()) as { name: string }).name).toBe('Lab 2');

    expect((await deleteBy(bob.cookie)).status).toBe(403);
    const refused = await deleteBy(alice.cookie);
    expect(refused.status).toBe(409);
    expect(JSON.stringify(await refused.json())).toMatch(/owns 1 debate/);
    expect(await server.db.prisma.team.count({ where: { id: team.id } })).toBe(1);
    expect(await server.db.prisma.teamMember.count({ where: { teamId: team.id } })).toBe(2);

    await server.db.prisma.debate.delete({ where: { id: 'teamd' } });
    expect((await deleteBy(alice.cookie)).status).toBe(204);
    expect(await server.db.prisma.team.count({ where: { id: team.id } })).toBe(0);
    expect(await server.db.prisma.teamMember.count({ where: { teamId: team.id } })).toBe(0);
    const log = await server.db.prisma.auditEntry.findMany({ where: { teamId: team.id }, orderBy: { id: 'asc' } });
    expect(log.map((e) => e.action)).toEqual(['team.create', 'team.rename', 'team.delete']);
    expect((await deleteBy(alice.cookie)).status).toBe(404);
    const bobsTeams = (await (await teamsRoute.GET(request('GET', '/api/teams', bob.cookie))).json()) as { items: { id: string }[] };
    expect(bobsTeams.items.map((t) => t.id)).not.toContain(team.id);
  });
});
