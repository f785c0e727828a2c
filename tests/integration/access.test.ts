import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import * as decoding from 'lib0/decoding';
import { WebSocket } from 'ws';
import { addClaim, claimsMap } from '../../lib/model/doc';
import { CloseCode, MessageType, type StatusMessage } from '../../lib/protocol';
import type { Visibility } from '../../lib/permissions';
import type { AccessInfo, DebateListItem } from '../../lib/schemas/access';
import type { CruxServer } from '../../server/app';
import { createDebate } from '../../server/services/debates';
import { createTeam } from '../../server/services/members';
import { createInvite } from '../../server/services/invites';
import * as debatesRoute from '../../app/api/debates/route';
import * as debateRoute from '../../app/api/debates/[id]/route';
import * as accessRoute from '../../app/api/debates/[id]/access/route';
import * as hiddenRoute from '../../app/api/debates/[id]/hidden/route';
import * as lockRoute from '../../app/api/debates/[id]/lock/route';
import * as visibilityRoute from '../../app/api/debates/[id]/visibility/route';
import * as transferRoute from '../../app/api/debates/[id]/transfer/route';
import * as membersRoute from '../../app/api/debates/[id]/members/route';
import * as memberRoute from '../../app/api/debates/[id]/members/[userId]/route';
import * as invitesRoute from '../../app/api/debates/[id]/invites/route';
import * as inviteRoute from '../../app/api/debates/[id]/invites/[inviteId]/route';
import * as auditRoute from '../../app/api/debates/[id]/audit/route';
import * as sourcesRoute from '../../app/api/debates/[id]/sources/route';
import * as evidenceRoute from '../../app/api/debates/[id]/evidence/route';
import * as summaryRoute from '../../app/api/debates/[id]/evidence/summary/route';
import * as searchRoute from '../../app/api/debates/[id]/search/route';
import * as eventsRoute from '../../app/api/debates/[id]/events/route';
import * as phaseRoute from '../../app/api/debates/[id]/phase/route';
import * as standingRoute from '../../app/api/debates/[id]/standing/route';
import * as strengthRoute from '../../app/api/debates/[id]/strength/route';
import * as votesRoute from '../../app/api/debates/[id]/votes/route';
import * as exportRoute from '../../app/api/debates/[id]/export/route';
import * as teamsRoute from '../../app/api/teams/route';
import * as meRoute from '../../app/api/account/me/route';
import * as authRoute from '../../app/api/auth/[...all]/route';
import {
  STORES,
  connectClient,
  createStore,
  joinGuest,
  signUp,
  socketWithHeaders,
  startTestServer,
  storedDoc,
  synced,
  waitFor,
  type TestStore,
} from './harness';

/*
 * The authorization matrix: every debate route and the sync socket, for each kind of principal,
 * on a debate of each visibility. Expectations come from the table below, written out by hand
 * (not from lib/permissions), and every refused write is checked to have changed nothing.
 */

const ORIGIN = 'http://crux.test';
const PRINCIPALS = ['anonymous', 'guest', 'nonMember', 'viewer', 'participant', 'moderator', 'owner'] as const;
type PrincipalKind = (typeof PRINCIPALS)[number];
const VIS: Visibility[] = ['private', 'team', 'link', 'public'];
const RANK = { viewer: 0, participant: 1, moderator: 2, owner: 3 } as const;
type R = keyof typeof RANK;

/**
 * The role each principal has on each debate. Members hold their role directly (private, link,
 * public) or through the owning team (team); the public debate gives everyone participant.
 */
function expectedRole(p: PrincipalKind, vis: Visibility): R | null {
  const own: R | null = p === 'viewer' || p === 'participant' || p === 'moderator' || p === 'owner' ? p : null;
  if (vis === 'public') return own !== null && RANK[own] > RANK.participant ? own : 'participant';
  return own;
}

type Params = { id: string; userId?: string; inviteId?: string };
type Handler = (req: Request, ctx: { params: Promise<Params> }) => Promise<Response>;

interface RouteCase {
  name: string;
  method: string;
  handler: Handler;
  path: (id: string) => string;
  params?: (d: DebateFixture) => Partial<Params>;
  body?: (d: DebateFixture) => unknown;
  min: R;
  /** Needs an identity (guest or account) even where the role allows it. */
  attributed?: boolean;
  /** Status when allowed. */
  ok: number;
  /** Puts back what an allowed call changed, so later cells start from the same state. */
  restore?: (d: DebateFixture) => Promise<void>;
}

interface DebateFixture {
  id: string;
  vis: Visibility;
  revokedInviteId: string;
}

interface Who {
  kind: PrincipalKind;
  cookie?: string;
  userId?: string;
  ip: string;
}

function request(
  method: string,
  path: string,
  who: Pick<Who, 'cookie' | 'ip'> | null,
  body?: unknown,
  extra: Record<string, string> = {},
): Request {
  return new Request(`${ORIGIN}${path}`, {
    method,
    headers: {
      'x-crux-client-ip': who?.ip ?? '203.0.113.1',
      ...(who?.cookie ? { cookie: who.cookie } : {}),
      ...(method === 'GET' ? {} : { origin: ORIGIN }),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...extra,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

describe.each(STORES)('authorization matrix (%s)', (storeName) => {
  let store: TestStore;
  let server: CruxServer;
  const who = {} as Record<PrincipalKind, Who>;
  const debates: DebateFixture[] = [];
  let extra: { userId: string };
  let teamId: string;
  let linkToken: string;

  beforeAll(async () => {
    store = await createStore(storeName);
    server = await startTestServer(store);
    const accounts = ['nonMember', 'viewer', 'participant', 'moderator', 'owner'] as const;
    for (const [i, kind] of accounts.entries()) {
      const { cookie, userId } = await signUp(server, kind, `${kind.toLowerCase()}@example.com`);
      who[kind] = { kind, cookie, userId, ip: `192.0.2.${10 + i}` };
    }
    const g = await joinGuest(server, 'Guest');
    who.guest = { kind: 'guest', cookie: g.cookie, userId: g.userId, ip: '192.0.2.30' };
    who.anonymous = { kind: 'anonymous', ip: '192.0.2.40' };
    extra = await signUp(server, 'Extra', 'extra@example.com');

    const prisma = server.db.prisma;
    const owner = { id: who.owner.userId!, name: 'owner' };
    teamId = (await createTeam(prisma, owner, { name: 'Team' })).id;
    for (const r of ['viewer', 'participant', 'moderator'] as const)
      await prisma.teamMember.create({ data: { teamId, userId: who[r].userId!, role: r } });
    for (const vis of VIS) {
      const ownerRef = vis === 'team' ? ({ kind: 'team', teamId } as const) : ({ kind: 'user', userId: owner.id } as const);
      const d = await createDebate(
        prisma,
        { title: `${vis} debate`, visibility: vis, publicRole: 'participant' },
        `d-${vis}`,
        ownerRef,
        owner,
      );
      const members: [string, string][] =
        vis === 'team' ? [] : (['viewer', 'participant', 'moderator'] as const).map((r) => [who[r].userId!, r]);
      members.push([extra.userId, 'viewer']);
      for (const [userId, role] of members) await prisma.debateMember.create({ data: { debateId: d.id, userId, role } });
      const inv = await createInvite(prisma, { kind: 'debate', debateId: d.id }, owner, 'viewer', 1);
      await prisma.invite.update({ where: { id: inv.id }, data: { revokedAt: new Date() } });
      if (vis === 'link') {
        const link = await createInvite(prisma, { kind: 'debate', debateId: d.id }, owner, 'participant', 24);
        linkToken = link.url!.split('/').pop()!;
      }
      debates.push({ id: d.id, vis, revokedInviteId: inv.id });
    }
  });
  afterAll(async () => {
    await server?.close();
    await store?.dispose();
  });

  /** Everything a refused write could have touched, for one debate. */
  async function fingerprint(debateId: string): Promise<unknown> {
    const [row] = await server.db.sql.query(
      `SELECT d."visibility", d."publicRole", d."locked", d."ownerUserId", d."ownerTeamId",
              (SELECT count(*)::int FROM "Debate") AS debates,
              (SELECT count(*)::int FROM "AuditEntry" WHERE "debateId" = d."id") AS audit,
              (SELECT count(*)::int FROM "HiddenClaim" WHERE "debateId" = d."id") AS hidden,
              (SELECT count(*)::int FROM "Invite" WHERE "debateId" = d."id" AND "revokedAt" IS NULL) AS invites,
              (SELECT count(*)::int FROM "Source" WHERE "debateId" = d."id") AS sources,
              (SELECT string_agg("userId" || ':' || "role", ',' ORDER BY "userId") FROM "DebateMember" WHERE "debateId" = d."id") AS members
         FROM "Debate" d WHERE d."id" = $1`,
      [debateId],
    );
    return row ?? null;
  }

  const ROUTES: RouteCase[] = [
    { name: 'GET debate', method: 'GET', handler: debateRoute.GET as Handler, path: (id) => `/api/debates/${id}`, min: 'viewer', ok: 200 },
    {
      name: 'GET access',
      method: 'GET',
      handler: accessRoute.GET as Handler,
      path: (id) => `/api/debates/${id}/access`,
      min: 'viewer',
      ok: 200,
    },
    {
      name: 'GET hidden',
      method: 'GET',
      handler: hiddenRoute.GET as Handler,
      path: (id) => `/api/debates/${id}/hidden`,
      min: 'viewer',
      ok: 200,
    },
    {
      name: 'POST hidden',
      method: 'POST',
      handler: hiddenRoute.POST as Handler,
      path: (id) => `/api/debates/${id}/hidden`,
      body: () => ({ claimId: 'c1', hidden: true }),
      min: 'moderator',
      ok: 200,
      restore: async (d) => void (await server.db.prisma.hiddenClaim.deleteMany({ where: { debateId: d.id } })),
    },
    {
      name: 'PUT lock',
      method: 'PUT',
      handler: lockRoute.PUT as Handler,
      path: (id) => `/api/debates/${id}/lock`,
      body: () => ({ locked: true }),
      min: 'moderator',
      ok: 200,
      restore: async (d) => void (await server.db.prisma.debate.update({ where: { id: d.id }, data: { locked: false } })),
    },
    {
      name: 'PUT visibility',
      method: 'PUT',
      handler: visibilityRoute.PUT as Handler,
      path: (id) => `/api/debates/${id}/visibility`,
      body: (d) => ({ visibility: d.vis, publicRole: 'participant' }),
      min: 'owner',
      ok: 200,
    },
    {
      name: 'GET members',
      method: 'GET',
      handler: membersRoute.GET as Handler,
      path: (id) => `/api/debates/${id}/members`,
      min: 'moderator',
      ok: 200,
    },
    {
      name: 'PATCH member',
      method: 'PATCH',
      handler: memberRoute.PATCH as Handler,
      path: (id) => `/api/debates/${id}/members/x`,
      params: () => ({ userId: extra.userId }),
      body: () => ({ role: 'participant' }),
      min: 'moderator',
      ok: 200,
      restore: async (d) =>
        void (await server.db.prisma.debateMember.update({
          where: { debateId_userId: { debateId: d.id, userId: extra.userId } },
          data: { role: 'viewer' },
        })),
    },
    {
      name: 'DELETE member',
      method: 'DELETE',
      handler: memberRoute.DELETE as Handler,
      path: (id) => `/api/debates/${id}/members/x`,
      params: () => ({ userId: extra.userId }),
      min: 'moderator',
      ok: 204,
      restore: async (d) =>
        void (await server.db.prisma.debateMember.create({ data: { debateId: d.id, userId: extra.userId, role: 'viewer' } })),
    },
    {
      name: 'GET invites',
      method: 'GET',
      handler: invitesRoute.GET as Handler,
      path: (id) => `/api/debates/${id}/invites`,
      min: 'moderator',
      ok: 200,
    },
    {
      name: 'POST invite',
      method: 'POST',
      handler: invitesRoute.POST as Handler,
      path: (id) => `/api/debates/${id}/invites`,
      body: () => ({ role: 'viewer', expiresInHours: 1 }),
      min: 'moderator',
      ok: 201,
    },
    {
      name: 'DELETE invite',
      method: 'DELETE',
      handler: inviteRoute.DELETE as Handler,
      path: (id) => `/api/debates/${id}/invites/x`,
      params: (d) => ({ inviteId: d.revokedInviteId }),
      min: 'moderator',
      ok: 204,
    },
    {
      name: 'GET audit',
      method: 'GET',
      handler: auditRoute.GET as Handler,
      path: (id) => `/api/debates/${id}/audit`,
      min: 'moderator',
      ok: 200,
    },
    {
      // Past the guard the service refuses an unknown recipient, so an allowed call changes nothing either.
      name: 'POST transfer',
      method: 'POST',
      handler: transferRoute.POST as Handler,
      path: (id) => `/api/debates/${id}/transfer`,
      body: () => ({ to: { kind: 'user', userId: 'nobody-at-all' } }),
      min: 'owner',
      ok: 422,
    },
    {
      name: 'GET sources',
      method: 'GET',
      handler: sourcesRoute.GET as Handler,
      path: (id) => `/api/debates/${id}/sources`,
      min: 'viewer',
      ok: 200,
    },
    {
      name: 'POST source',
      method: 'POST',
      handler: sourcesRoute.POST as Handler,
      path: (id) => `/api/debates/${id}/sources`,
      body: () => ({ title: 'A source' }),
      min: 'participant',
      attributed: true,
      ok: 201,
    },
    {
      name: 'GET evidence',
      method: 'GET',
      handler: evidenceRoute.GET as Handler,
      path: (id) => `/api/debates/${id}/evidence`,
      min: 'viewer',
      ok: 200,
    },
    {
      name: 'GET evidence summary',
      method: 'GET',
      handler: summaryRoute.GET as Handler,
      path: (id) => `/api/debates/${id}/evidence/summary`,
      min: 'viewer',
      ok: 200,
    },
    {
      name: 'GET search',
      method: 'GET',
      handler: searchRoute.GET as Handler,
      path: (id) => `/api/debates/${id}/search?q=agi`,
      min: 'viewer',
      ok: 200,
    },
    {
      name: 'GET events',
      method: 'GET',
      handler: eventsRoute.GET as Handler,
      path: (id) => `/api/debates/${id}/events`,
      min: 'viewer',
      ok: 200,
    },
    {
      name: 'GET phase',
      method: 'GET',
      handler: phaseRoute.GET as Handler,
      path: (id) => `/api/debates/${id}/phase`,
      min: 'viewer',
      ok: 200,
    },
    {
      name: 'PUT phase',
      method: 'PUT',
      handler: phaseRoute.PUT as Handler,
      path: (id) => `/api/debates/${id}/phase`,
      body: () => ({ phase: 'voting' }),
      min: 'moderator',
      ok: 200,
      restore: async (d) => void (await server.db.prisma.debate.update({ where: { id: d.id }, data: { phase: 'open' } })),
    },
    {
      name: 'GET standing',
      method: 'GET',
      handler: standingRoute.GET as Handler,
      path: (id) => `/api/debates/${id}/standing`,
      min: 'viewer',
      ok: 200,
    },
    {
      name: 'GET votes',
      method: 'GET',
      handler: votesRoute.GET as Handler,
      path: (id) => `/api/debates/${id}/votes`,
      min: 'viewer',
      ok: 200,
    },
    {
      name: 'GET strength',
      method: 'GET',
      handler: strengthRoute.GET as Handler,
      path: (id) => `/api/debates/${id}/strength`,
      min: 'viewer',
      ok: 200,
    },
    {
      name: 'GET export (Argdown)',
      method: 'GET',
      handler: exportRoute.GET as Handler,
      path: (id) => `/api/debates/${id}/export?format=argdown`,
      min: 'viewer',
      ok: 200,
    },
    {
      name: 'GET export (backup: names who voted what)',
      method: 'GET',
      handler: exportRoute.GET as Handler,
      path: (id) => `/api/debates/${id}/export?format=backup`,
      min: 'moderator',
      ok: 200,
    },
    // Last: it deletes the debate for its owner.
    {
      name: 'DELETE debate',
      method: 'DELETE',
      handler: debateRoute.DELETE as Handler,
      path: (id) => `/api/debates/${id}`,
      min: 'owner',
      ok: 204,
    },
  ];

  function expectedStatus(p: PrincipalKind, vis: Visibility, rc: RouteCase): number {
    const role = expectedRole(p, vis);
    const refused = p === 'anonymous' ? 401 : 403;
    if (role === null || RANK[role] < RANK[rc.min]) return refused;
    if (rc.attributed && p === 'anonymous') return 401;
    return rc.ok;
  }

  it('sockets: the upgrade is refused 401/403 without access; a write is accepted or closed 4403 with the stored doc unchanged', async () => {
    const outcomes: string[] = [];
    const expected: string[] = [];
    for (const d of debates)
      for (const p of PRINCIPALS) {
        const w = who[p];
        const role = expectedRole(p, d.vis);
        expected.push(
          `${p}@${d.vis}: ${role === null ? (p === 'anonymous' ? 401 : 403) : RANK[role] >= RANK.participant ? 'written' : 'closed 4403'}`,
        );
        const headers = w.cookie ? { cookie: w.cookie } : {};
        const status = await new Promise<number>((resolve) => {
          const ws = new WebSocket(`ws://127.0.0.1:${server.port}/yjs/${d.id}`, { headers });
          ws.on('open', () => {
            ws.close();
            resolve(101);
          });
          ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
          ws.on('error', () => undefined);
        });
        if (status !== 101) {
          outcomes.push(`${p}@${d.vis}: ${status}`);
          continue;
        }
        const before = Y.encodeStateAsUpdate(await storedDoc(server, d.id));
        const c = connectClient(server, d.id, new Y.Doc(), w.cookie ? { cookie: w.cookie } : {});
        const closes: number[] = [];
        c.provider.on('connection-close', (e: CloseEvent | null) => {
          if (e) closes.push(e.code);
        });
        await synced(c.provider);
        const claimId = `${p}-${d.vis}`;
        addClaim(c.doc, { id: claimId, text: `by ${p}`, x: 0, y: 0, author: p });
        let result: string;
        const room = await server.rooms.peek(d.id)!;
        // Either the server closes the socket or the claim reaches the room (which it does only once stored).
        await waitFor(() => closes.length > 0 || claimsMap(room.doc).has(claimId), 2000).catch(() => undefined);
        if (closes.length > 0) {
          c.provider.destroy();
          await waitFor(() => server.writer.pending === 0);
          const after = Y.encodeStateAsUpdate(await storedDoc(server, d.id));
          expect(after, `${p}@${d.vis}: a refused write left the stored doc unchanged`).toEqual(before);
          result = `closed ${closes[0]}`;
        } else {
          await waitFor(() => server.writer.pending === 0);
          const stored = await storedDoc(server, d.id);
          result = claimsMap(stored).has(claimId) ? 'written' : 'not written';
          c.provider.destroy();
        }
        outcomes.push(`${p}@${d.vis}: ${result}`);
      }
    expect(outcomes).toEqual(expected);
  });

  it('a link-visible debate opens to whoever presents a valid link, on the socket and the API', async () => {
    const d = debates.find((x) => x.vis === 'link')!;
    const withLink = await accessRoute.GET(request('GET', `/api/debates/${d.id}/access?invite=${linkToken}`, who.nonMember), {
      params: Promise.resolve({ id: d.id }),
    });
    expect(withLink.status).toBe(200);
    expect(((await withLink.json()) as AccessInfo).role).toBe('participant');
    const status = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}/yjs/${d.id}?invite=${linkToken}`);
      ws.on('open', () => {
        ws.close();
        resolve(101);
      });
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    });
    expect(status).toBe(101);
    const forged = await accessRoute.GET(request('GET', `/api/debates/${d.id}/access?invite=${'A'.repeat(43)}`, who.nonMember), {
      params: Promise.resolve({ id: d.id }),
    });
    expect(forged.status).toBe(403);
  });

  it('every debate route × principal × visibility answers as the table says; refused writes change nothing', async () => {
    const got: string[] = [];
    const want: string[] = [];
    for (const rc of ROUTES)
      for (const d of debates)
        for (const p of PRINCIPALS) {
          const exp = expectedStatus(p, d.vis, rc);
          want.push(`${rc.name} ${d.vis} ${p}: ${exp}`);
          const before = rc.method === 'GET' ? null : await fingerprint(d.id);
          const ac = new AbortController();
          const req = request(rc.method, rc.path(d.id), who[p], rc.body?.(d));
          const res = await rc.handler(rc.name === 'GET events' ? new Request(req, { signal: ac.signal }) : req, {
            params: Promise.resolve({ id: d.id, ...rc.params?.(d) } as Params),
          });
          ac.abort();
          if (rc.name === 'GET events' && res.ok) await res.body?.cancel().catch(() => undefined);
          got.push(`${rc.name} ${d.vis} ${p}: ${res.status}`);
          if (res.status !== exp) continue;
          if (res.status === 401 || res.status === 403) {
            if (before !== null) expect(await fingerprint(d.id), `${rc.name} ${d.vis} ${p} changed nothing`).toEqual(before);
            const body = (await res.json()) as { error: { code: string } };
            expect(body.error.code).toBe(res.status === 401 ? 'unauthorized' : 'forbidden');
          } else await rc.restore?.(d);
        }
    expect(got).toEqual(want);
  });

  it('lists only the debates a principal may see; starting debates and teams needs an account', async () => {
    const listed = async (p: PrincipalKind) => {
      const res = await debatesRoute.GET(request('GET', '/api/debates?limit=100', who[p]));
      expect(res.status).toBe(200);
      return ((await res.json()) as { items: DebateListItem[] }).items
        .map((d) => d.id)
        .filter((id) => id.startsWith('l-'))
        .sort();
    };
    // The matrix above deleted its debates; make a fresh set.
    const prisma = server.db.prisma;
    const owner = { id: who.owner.userId!, name: 'owner' };
    for (const vis of VIS) {
      const ref = vis === 'team' ? ({ kind: 'team', teamId } as const) : ({ kind: 'user', userId: owner.id } as const);
      await createDebate(prisma, { title: vis, visibility: vis }, `l-${vis}`, ref, owner);
    }
    await prisma.debateMember.create({ data: { debateId: 'l-link', userId: who.viewer.userId!, role: 'viewer' } });
    expect(await listed('anonymous')).toEqual(['l-public']);
    expect(await listed('guest')).toEqual(['l-public']);
    expect(await listed('nonMember')).toEqual(['l-public']);
    expect(await listed('viewer')).toEqual(['l-link', 'l-public', 'l-team']);
    expect(await listed('owner')).toEqual(['l-link', 'l-private', 'l-public', 'l-team']);

    const count = async () => prisma.debate.count();
    const n = await count();
    const create = (p: PrincipalKind) => debatesRoute.POST(request('POST', '/api/debates', who[p], { title: 'Mine' }));
    expect((await create('anonymous')).status).toBe(401);
    expect((await create('guest')).status).toBe(403);
    expect(await count()).toBe(n);
    const made = await create('nonMember');
    expect(made.status).toBe(201);
    const teamDebate = await debatesRoute.POST(request('POST', '/api/debates', who.nonMember, { title: 'In a team', teamId }));
    expect(teamDebate.status).toBe(403);
    const viewerInTeam = await debatesRoute.POST(request('POST', '/api/debates', who.viewer, { title: 'In a team', teamId }));
    expect(viewerInTeam.status).toBe(403);
    const participantInTeam = await debatesRoute.POST(request('POST', '/api/debates', who.participant, { title: 'In a team', teamId }));
    expect(participantInTeam.status).toBe(201);
    expect(await count()).toBe(n + 2);
    const { id } = (await made.json()) as { id: string };
    expect(await prisma.debate.findUnique({ where: { id }, select: { ownerUserId: true, visibility: true } })).toEqual({
      ownerUserId: who.nonMember.userId,
      visibility: 'private',
    });

    expect((await teamsRoute.POST(request('POST', '/api/teams', who.anonymous, { name: 'T' }))).status).toBe(401);
    expect((await teamsRoute.POST(request('POST', '/api/teams', who.guest, { name: 'T' }))).status).toBe(403);
    expect((await teamsRoute.GET(request('GET', '/api/teams', who.guest))).status).toBe(200);
    expect((await meRoute.GET(request('GET', '/api/account/me', who.anonymous))).status).toBe(200);
  });

  it('refuses every state-changing request from another origin, or with no Origin at all (CSRF)', async () => {
    const d = await createDebate(server.db.prisma, { title: 'csrf' }, 'csrf', { kind: 'user', userId: who.owner.userId! });
    const before = await fingerprint(d.id);
    for (const origin of ['https://evil.example', null]) {
      const headers: Record<string, string> = {
        cookie: who.owner.cookie!,
        'content-type': 'application/json',
        'x-crux-client-ip': who.owner.ip,
      };
      if (origin) headers.origin = origin;
      const lock = await lockRoute.PUT(
        new Request(`${ORIGIN}/api/debates/${d.id}/lock`, { method: 'PUT', headers, body: JSON.stringify({ locked: true }) }),
        {
          params: Promise.resolve({ id: d.id }),
        },
      );
      expect(lock.status).toBe(403);
      const signOut = await authRoute.POST(new Request(`${ORIGIN}/api/auth/sign-out`, { method: 'POST', headers, body: '{}' }));
      expect(signOut.status).toBe(403);
    }
    expect(await fingerprint(d.id)).toEqual(before);
    // A same-origin fetch without Origin (some browsers on same-origin GET→POST redirects) carries Sec-Fetch-Site.
    const sameSite = await lockRoute.PUT(
      new Request(`${ORIGIN}/api/debates/${d.id}/lock`, {
        method: 'PUT',
        headers: { cookie: who.owner.cookie!, 'content-type': 'application/json', 'sec-fetch-site': 'same-origin' },
        body: JSON.stringify({ locked: false }),
      }),
      { params: Promise.resolve({ id: d.id }) },
    );
    expect(sameSite.status).toBe(200);
    // Next builds req.url from the hostname it was started with; the site is the Host the browser addressed.
    const viaHost = await lockRoute.PUT(
      new Request(`http://localhost:3000/api/debates/${d.id}/lock`, {
        method: 'PUT',
        headers: { host: '127.0.0.1:4000', origin: 'http://127.0.0.1:4000', cookie: who.owner.cookie!, 'content-type': 'application/json' },
        body: JSON.stringify({ locked: false }),
      }),
      { params: Promise.resolve({ id: d.id }) },
    );
    expect(viaHost.status).toBe(200);
    // A WebSocket opened by another site's page carries that site's Origin.
    const status = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}/yjs/${d.id}`, {
        headers: { cookie: who.owner.cookie!, origin: 'https://evil.example' },
      });
      ws.on('open', () => resolve(101));
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    });
    expect(status).toBe(403);
  });
});

describe('live access: role and lock changes reach open sockets without reconnecting', () => {
  let store: TestStore;
  let server: CruxServer;
  let owner: { cookie: string; userId: string };
  let alice: { cookie: string; userId: string };
  const ip = '192.0.2.99';
  const call = (handler: Handler, method: string, path: string, params: Params, cookie: string, body?: unknown) =>
    handler(request(method, path, { cookie, ip }, body), { params: Promise.resolve(params) });

  beforeAll(async () => {
    store = await createStore('pglite');
    server = await startTestServer(store);
    owner = await signUp(server, 'Owner', 'owner@example.com');
    alice = await signUp(server, 'Alice', 'alice@example.com');
  });
  afterAll(async () => {
    await server?.close();
    await store?.dispose();
  });

  /** A Crux client (status frames on) with Alice's cookie; collects status messages and close codes. */
  async function aliceClient(debateId: string) {
    const c = connectClient(server, debateId, new Y.Doc(), { cookie: alice.cookie, params: { client: 'crux' } });
    const statuses: StatusMessage[] = [];
    const closes: number[] = [];
    c.provider.messageHandlers[MessageType.Status] = (_enc, dec) => {
      statuses.push(JSON.parse(decoding.readVarString(dec)) as StatusMessage);
    };
    c.provider.on('connection-close', (e: CloseEvent | null) => {
      if (e) closes.push(e.code);
    });
    await synced(c.provider);
    rooms.set(debateId, (await server.rooms.peek(debateId)!).doc);
    return { ...c, statuses, closes };
  }

  /** Loaded rooms only apply stored updates, so a claim in the room is a claim on disk. */
  const rooms = new Map<string, Y.Doc>();
  const inRoom = (debateId: string, claimId: string) => rooms.get(debateId) !== undefined && claimsMap(rooms.get(debateId)!).has(claimId);

  const stored = async (debateId: string, claimId: string) => {
    await waitFor(() => server.writer.pending === 0);
    return claimsMap(await storedDoc(server, debateId)).has(claimId);
  };

  it('a viewer promoted to participant writes on the same socket; a demoted or locked-out one is told, then refused', async () => {
    await createDebate(server.db.prisma, { title: 'live' }, 'live', { kind: 'user', userId: owner.userId });
    await server.db.prisma.debateMember.create({ data: { debateId: 'live', userId: alice.userId, role: 'viewer' } });
    const a = await aliceClient('live');

    const promote = await call(
      memberRoute.PATCH as Handler,
      'PATCH',
      '/api/debates/live/members/x',
      { id: 'live', userId: alice.userId },
      owner.cookie,
      {
        role: 'participant',
      },
    );
    expect(promote.status).toBe(200);
    addClaim(a.doc, { id: 'after-promotion', text: 'now I can', x: 0, y: 0, author: 'alice' });
    await waitFor(() => inRoom('live', 'after-promotion'), 2000, 'the promoted write');
    expect(await stored('live', 'after-promotion')).toBe(true);
    expect(a.closes).toEqual([]);

    const lock = await call(lockRoute.PUT as Handler, 'PUT', '/api/debates/live/lock', { id: 'live' }, owner.cookie, { locked: true });
    expect(lock.status).toBe(200);
    await waitFor(() => a.statuses.some((s) => s.kind === 'rejected' && s.reason === 'read-only'), 2000, 'read-only status after lock');
    expect(a.statuses.find((s) => s.kind === 'rejected')).toMatchObject({ detail: 'a moderator locked the debate' });
    addClaim(a.doc, { id: 'while-locked', text: 'refused', x: 0, y: 0, author: 'alice' });
    await waitFor(() => a.closes.length > 0, 2000, 'close after a locked write');
    expect(a.closes[0]).toBe(CloseCode.Forbidden);
    expect(await stored('live', 'while-locked')).toBe(false);
    a.provider.destroy();

    // The owner (a moderator and more) still writes while locked.
    const o = connectClient(server, 'live', new Y.Doc(), { cookie: owner.cookie });
    await synced(o.provider);
    rooms.set('live', (await server.rooms.peek('live')!).doc);
    addClaim(o.doc, { id: 'owner-locked', text: 'moderators may', x: 0, y: 0, author: 'owner' });
    await waitFor(() => inRoom('live', 'owner-locked'), 2000, 'the moderator write');
    expect(await stored('live', 'owner-locked')).toBe(true);
    o.provider.destroy();

    await call(lockRoute.PUT as Handler, 'PUT', '/api/debates/live/lock', { id: 'live' }, owner.cookie, { locked: false });
    const b = await aliceClient('live');
    const demote = await call(
      memberRoute.PATCH as Handler,
      'PATCH',
      '/api/debates/live/members/x',
      { id: 'live', userId: alice.userId },
      owner.cookie,
      {
        role: 'viewer',
      },
    );
    expect(demote.status).toBe(200);
    await waitFor(() => b.statuses.some((s) => s.kind === 'rejected'), 2000, 'read-only status after demotion');
    expect(b.statuses.find((s) => s.kind === 'rejected')).toMatchObject({ reason: 'read-only', detail: 'your role is now viewer' });

    // Removed from a private debate: the socket is closed, it may not even read any more.
    const remove = await call(
      memberRoute.DELETE as Handler,
      'DELETE',
      '/api/debates/live/members/x',
      { id: 'live', userId: alice.userId },
      owner.cookie,
    );
    expect(remove.status).toBe(204);
    await waitFor(() => b.closes.length > 0, 2000, 'close after removal');
    expect(b.closes[0]).toBe(CloseCode.Forbidden);
    b.provider.destroy();
  });

  it('signing out everywhere closes the sockets of the account (4401) and ends every session', async () => {
    await createDebate(server.db.prisma, { title: 'private' }, 'priv', { kind: 'user', userId: alice.userId });
    const { getAuth } = await import('../../server/auth/auth');
    const other = await (
      await getAuth()
    ).api.signInEmail({ body: { email: 'alice@example.com', password: 'correct horse battery staple' }, asResponse: true });
    const otherCookie = other.headers.getSetCookie()[0]!.split(';')[0]!;
    const a = await aliceClient('priv');
    const revoke = await authRoute.POST(request('POST', '/api/auth/revoke-sessions', { cookie: otherCookie, ip }, {}));
    expect(revoke.status).toBe(200);
    await waitFor(() => a.closes.length > 0, 2000, 'close after sign-out everywhere');
    expect(a.closes[0]).toBe(CloseCode.Unauthorized);
    a.provider.destroy();
    expect(await server.db.prisma.session.count({ where: { userId: alice.userId } })).toBe(0);
    const stale = await accessRoute.GET(request('GET', '/api/debates/priv/access', { cookie: alice.cookie, ip }), {
      params: Promise.resolve({ id: 'priv' }),
    });
    expect(stale.status).toBe(401);
  });

  it('rate limits: writes past the budget get 429 with Retry-After; a socket flooding frames is closed 4429', async () => {
    const heavy = await signUp(server, 'Heavy', 'heavy@example.com');
    await createDebate(server.db.prisma, { title: 'busy' }, 'busy', { kind: 'user', userId: heavy.userId });
    const before = await server.db.prisma.hiddenClaim.count();
    let limited: Response | undefined;
    for (let i = 0; i < 200 && !limited; i++) {
      // An invalid body: each call passes the guard (and spends budget) but stores nothing.
      const res = await call(hiddenRoute.POST as Handler, 'POST', '/api/debates/busy/hidden', { id: 'busy' }, heavy.cookie, {
        claimId: '',
      });
      if (res.status === 429) limited = res;
      else expect(res.status).toBe(400);
    }
    expect(limited?.status).toBe(429);
    expect(Number(limited?.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await server.db.prisma.hiddenClaim.count()).toBe(before);
    // Reads are not writes: they stay allowed.
    expect((await call(hiddenRoute.GET as Handler, 'GET', '/api/debates/busy/hidden', { id: 'busy' }, heavy.cookie)).status).toBe(200);

    const ws = new (socketWithHeaders({ cookie: heavy.cookie }))(`ws://127.0.0.1:${server.port}/yjs/busy`);
    const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
    await new Promise<void>((resolve) => ws.on('open', () => resolve()));
    // Awareness queries: harmless one by one, a flood all together.
    for (let i = 0; i < 2000 && ws.readyState === ws.OPEN; i++) ws.send(new Uint8Array([MessageType.QueryAwareness]));
    expect(await closed).toBe(CloseCode.RateLimited);
  });
});
