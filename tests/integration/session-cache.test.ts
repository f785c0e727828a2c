import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CruxServer } from '../../server/app';
import { setRuntime, type Runtime } from '../../server/runtime';
import type { LiveEvent } from '../../server/live/bus';
import { CACHES_CHANNEL } from '../../server/access/invalidation';
import { grantsCacheOf } from '../../server/access/grants';
import { sessionCacheOf } from '../../server/auth/sessionCache';
import { removeDebateMember } from '../../server/services/members';
import * as votesRoute from '../../app/api/debates/[id]/votes/route';
import * as authRoute from '../../app/api/auth/[...all]/route';
import { STORES, createDebateRow, createStore, signUp, startTestServer, testConfig, waitFor, type TestStore } from './harness';

/*
 * The request path caches verified sessions and debate grants per instance
 * (server/auth/sessionCache.ts, server/access/grants.ts). Their TTL is raised to ten minutes
 * here, so every refusal below comes from an invalidation (or from the session's own expiry),
 * never from an entry timing out. Requests go through the real route handlers; with two
 * instances in one process, the runtime the handlers read is switched to the instance asked.
 */

const ORIGIN = 'http://crux.test';
const LONG_TTL = 10 * 60_000;

const readVotes = (debateId: string, cookie: string) =>
  votesRoute.GET(new Request(`${ORIGIN}/api/debates/${debateId}/votes`, { headers: { cookie } }), {
    params: Promise.resolve({ id: debateId }),
  });

const signOut = (cookie: string) =>
  authRoute.POST(
    new Request(`${ORIGIN}/api/auth/sign-out`, {
      method: 'POST',
      headers: { origin: ORIGIN, cookie, 'content-type': 'application/json' },
      body: '{}',
    }),
  );

/** The runtime the route handlers read, for one of several servers in this process. */
const runtimeOf = (server: CruxServer, store: TestStore): Runtime => ({
  config: testConfig(store),
  db: server.db,
  rooms: server.rooms,
  writer: server.writer,
  live: server.live,
});

function longTtl(server: CruxServer): void {
  sessionCacheOf(server.live).ttlMs = LONG_TTL;
  grantsCacheOf(server.live).ttlMs = LONG_TTL;
}

/** A private debate owned by `owner`, in which `member` is a participant. */
async function privateDebate(server: CruxServer, id: string, owner: string, member: string): Promise<void> {
  await createDebateRow(server, id);
  await server.db.prisma.debate.update({ where: { id }, data: { ownerUserId: owner, visibility: 'private' } });
  await server.db.prisma.debateMember.create({ data: { debateId: id, userId: member, role: 'participant' } });
}

/** Every invalidation message a server's bus delivers, as topics. */
function heard(server: CruxServer): string[] {
  const topics: string[] = [];
  server.live.subscribe(CACHES_CHANNEL, (e: LiveEvent) => topics.push(e.topic));
  return topics;
}

describe.each(STORES)('session and grants caches on one instance (%s)', (storeName) => {
  let store: TestStore;
  let server: CruxServer;

  beforeAll(async () => {
    store = await createStore(storeName);
    server = await startTestServer(store);
    longTtl(server);
  });
  afterAll(async () => {
    await server?.close();
    await store?.dispose();
  });

  it('a cached session is refused on the very next request after sign-out', async () => {
    const owner = await signUp(server, 'Owner', `owner-1-${storeName}@example.com`);
    const member = await signUp(server, 'Member', `member-1-${storeName}@example.com`);
    await privateDebate(server, 'sc-signout', owner.userId, member.userId);
    expect((await readVotes('sc-signout', owner.cookie)).status).toBe(200);
    expect((await readVotes('sc-signout', member.cookie)).status).toBe(200);
    expect(sessionCacheOf(server.live).size).toBeGreaterThan(0);
    // Sessions are served from the cache: a row deleted behind better-auth's back (no Crux code
    // does that) goes unnoticed until the entry's TTL…
    const shadow = await signUp(server, 'Shadow', `shadow-1-${storeName}@example.com`);
    await server.db.prisma.debateMember.create({ data: { debateId: 'sc-signout', userId: shadow.userId, role: 'viewer' } });
    expect((await readVotes('sc-signout', shadow.cookie)).status).toBe(200);
    await server.db.prisma.session.deleteMany({ where: { userId: shadow.userId } });
    expect((await readVotes('sc-signout', shadow.cookie)).status).toBe(200);

    // …while signing out through better-auth drops the entry at once.
    expect((await signOut(member.cookie)).status).toBe(200);
    expect((await readVotes('sc-signout', member.cookie)).status).toBe(401);
    // The owner's session was not touched.
    expect((await readVotes('sc-signout', owner.cookie)).status).toBe(200);
  });

  it('removing a role takes effect on the next request', async () => {
    const owner = await signUp(server, 'Owner', `owner-2-${storeName}@example.com`);
    const member = await signUp(server, 'Member', `member-2-${storeName}@example.com`);
    await privateDebate(server, 'sc-role', owner.userId, member.userId);
    expect((await readVotes('sc-role', member.cookie)).status).toBe(200);
    expect((await readVotes('sc-role', member.cookie)).status).toBe(200);
    await removeDebateMember(runtimeOf(server, store), 'sc-role', { id: owner.userId, name: 'Owner', role: 'owner' }, member.userId);
    expect((await readVotes('sc-role', member.cookie)).status).toBe(403);
    expect((await readVotes('sc-role', owner.cookie)).status).toBe(200);
  });

  it('a session is not served from the cache past its expiry', async () => {
    const owner = await signUp(server, 'Owner', `owner-3-${storeName}@example.com`);
    await privateDebate(server, 'sc-expiry', owner.userId, (await signUp(server, 'M', `m-3-${storeName}@example.com`)).userId);
    const token = decodeURIComponent(owner.cookie.split('=')[1]!).split('.')[0]!;
    const expiresAt = new Date(Date.now() + 1_500);
    await server.db.prisma.session.update({ where: { token }, data: { expiresAt } });
    expect((await readVotes('sc-expiry', owner.cookie)).status).toBe(200);
    expect((await readVotes('sc-expiry', owner.cookie)).status).toBe(200);
    // Past the expiry (the cache's own TTL is ten minutes): nobody, whether or not the row is still there.
    await waitFor(() => Date.now() > expiresAt.getTime() + 50, 5_000, 'the session to expire');
    expect((await readVotes('sc-expiry', owner.cookie)).status).toBe(401);
  });
});

describe.runIf(STORES.includes('postgres'))('two instances on one Postgres drop cached sessions and grants together', () => {
  let store: TestStore;
  let a: CruxServer;
  let b: CruxServer;
  let rtA: Runtime;
  let rtB: Runtime;
  /** Runs the request on one instance: its route handlers read that instance's runtime. */
  const on = <T>(rt: Runtime, fn: () => Promise<T>): Promise<T> => {
    setRuntime(rt);
    return fn();
  };

  beforeAll(async () => {
    store = await createStore('postgres');
    a = await startTestServer(store);
    b = await startTestServer(store);
    rtA = runtimeOf(a, store);
    rtB = runtimeOf(b, store);
    longTtl(a);
    longTtl(b);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await store?.dispose();
  });

  it('signing out on A refuses the session on A at once and on B as soon as the notification arrives', async () => {
    const owner = await on(rtA, () => signUp(a, 'Owner', 'owner-x1@example.com'));
    const member = await on(rtA, () => signUp(a, 'Member', 'member-x1@example.com'));
    await privateDebate(a, 'scx-signout', owner.userId, member.userId);
    for (const rt of [rtA, rtB, rtA, rtB]) expect((await on(rt, () => readVotes('scx-signout', member.cookie))).status).toBe(200);
    expect(sessionCacheOf(b.live).size).toBeGreaterThan(0);

    const onB = heard(b);
    expect((await on(rtA, () => signOut(member.cookie))).status).toBe(200);
    expect((await on(rtA, () => readVotes('scx-signout', member.cookie))).status).toBe(401);
    // No TTL involved (ten minutes here): B's entry goes with the NOTIFY the sign-out sent after committing.
    await waitFor(() => onB.includes(`s:${member.userId}`), 5_000, 'B to hear of the sign-out');
    expect((await on(rtB, () => readVotes('scx-signout', member.cookie))).status).toBe(401);
    expect((await on(rtB, () => readVotes('scx-signout', owner.cookie))).status).toBe(200);
  });

  it('a role removed through A is refused on A at once and on B as soon as the notification arrives', async () => {
    const owner = await on(rtA, () => signUp(a, 'Owner', 'owner-x2@example.com'));
    const member = await on(rtA, () => signUp(a, 'Member', 'member-x2@example.com'));
    await privateDebate(a, 'scx-role', owner.userId, member.userId);
    for (const rt of [rtA, rtB, rtA, rtB]) expect((await on(rt, () => readVotes('scx-role', member.cookie))).status).toBe(200);
    expect(grantsCacheOf(b.live).size).toBeGreaterThan(0);

    const onB = heard(b);
    await removeDebateMember(rtA, 'scx-role', { id: owner.userId, name: 'Owner', role: 'owner' }, member.userId);
    expect((await on(rtA, () => readVotes('scx-role', member.cookie))).status).toBe(403);
    await waitFor(() => onB.includes('gd:scx-role'), 5_000, 'B to hear of the role change');
    expect((await on(rtB, () => readVotes('scx-role', member.cookie))).status).toBe(403);
    expect((await on(rtB, () => readVotes('scx-role', owner.cookie))).status).toBe(200);
  });
});
