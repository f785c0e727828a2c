import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AccessInfo, AuditEntryInfo, InviteInfo, MeInfo, TeamDetail } from '../../lib/schemas/access';
import type { CruxServer } from '../../server/app';
import { clientAddress } from '../../server/access/clientIp';
import { createDebate } from '../../server/services/debates';
import * as authRoute from '../../app/api/auth/[...all]/route';
import * as meRoute from '../../app/api/account/me/route';
import * as guestRoute from '../../app/api/account/guest/route';
import * as claimRoute from '../../app/api/account/claim/route';
import * as teamsRoute from '../../app/api/teams/route';
import * as teamRoute from '../../app/api/teams/[id]/route';
import * as teamMemberRoute from '../../app/api/teams/[id]/members/[userId]/route';
import * as teamInvitesRoute from '../../app/api/teams/[id]/invites/route';
import * as teamInviteRoute from '../../app/api/teams/[id]/invites/[inviteId]/route';
import * as inviteRoute from '../../app/api/invites/[token]/route';
import * as debateInvitesRoute from '../../app/api/debates/[id]/invites/route';
import * as accessRoute from '../../app/api/debates/[id]/access/route';
import * as membersRoute from '../../app/api/debates/[id]/members/route';
import * as visibilityRoute from '../../app/api/debates/[id]/visibility/route';
import * as lockRoute from '../../app/api/debates/[id]/lock/route';
import * as hiddenRoute from '../../app/api/debates/[id]/hidden/route';
import * as memberRoute from '../../app/api/debates/[id]/members/[userId]/route';
import * as auditRoute from '../../app/api/debates/[id]/audit/route';
import { createStore, sessionCookie, startTestServer, type TestStore } from './harness';

/*
 * Accounts, sessions, guests, teams and invites through the real route handlers (better-auth's
 * included), as a browser would call them: cookies in, Set-Cookie out, Origin on every write.
 */

const ORIGIN = 'http://crux.test';
const PASSWORD = 'correct horse battery staple';
let ipSeq = 0;
/** A fresh client address per call unless given: better-auth's per-address limits are tested on purpose, not by accident. */
const freshIp = () => `10.1.${Math.floor(++ipSeq / 250)}.${(ipSeq % 250) + 1}`;

function req(
  method: string,
  path: string,
  opts: { cookie?: string; body?: unknown; ip?: string; headers?: Record<string, string> } = {},
): Request {
  return new Request(`${ORIGIN}${path}`, {
    method,
    headers: {
      'x-crux-client-ip': opts.ip ?? freshIp(),
      ...(opts.cookie ? { cookie: opts.cookie } : {}),
      ...(method === 'GET' ? {} : { origin: ORIGIN }),
      ...(opts.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...opts.headers,
    },
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
}

type Ctx<P> = { params: Promise<P> };
const ctx = <P>(p: P): Ctx<P> => ({ params: Promise.resolve(p) });

const auth = (path: string, body: unknown, opts: { cookie?: string; ip?: string } = {}) =>
  authRoute.POST(req('POST', `/api/auth${path}`, { ...opts, body }));
const signUp = (name: string, email: string, password = PASSWORD, ip?: string) => auth('/sign-up/email', { name, email, password }, { ip });
const signIn = (email: string, password = PASSWORD, opts: { cookie?: string; ip?: string } = {}) =>
  auth('/sign-in/email', { email, password }, opts);
async function me(cookie?: string): Promise<MeInfo['user']> {
  return ((await (await meRoute.GET(req('GET', '/api/account/me', { cookie }))).json()) as MeInfo).user;
}

describe('accounts, sessions, guests, teams', () => {
  let store: TestStore;
  let server: CruxServer;
  /** Every JSON body any handler returned, to prove no password hash ever leaves. */
  const bodies: string[] = [];
  const keep = async (res: Response): Promise<Response> => {
    bodies.push(await res.clone().text());
    return res;
  };

  beforeAll(async () => {
    store = await createStore('pglite');
    server = await startTestServer(store);
  });
  afterAll(async () => {
    await server?.close();
    await store?.dispose();
  });

  it('sign-up sets an HttpOnly, SameSite=Lax session cookie that expires with the session; the password is stored as a salted scrypt hash', async () => {
    const res = await keep(await signUp('Ada', 'Ada@Example.com'));
    expect(res.status).toBe(200);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('crux.session_token='))!;
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Lax/);
    expect(cookie).toMatch(/; Path=\//);
    expect(cookie).toMatch(/; Max-Age=604800/);
    expect(cookie).not.toMatch(/; Secure/);
    expect(await me(sessionCookie(res))).toMatchObject({ name: 'Ada', email: 'ada@example.com', isGuest: false });

    await keep(await signUp('Bob', 'bob@example.com'));
    const rows = await server.db.sql.query<{ email: string; password: string }>(
      `SELECT u."email", a."password" FROM "Account" a JOIN "User" u ON u."id" = a."userId" ORDER BY u."email"`,
    );
    // better-auth's scrypt format: hex salt ":" hex key; equal passwords, different salts, different hashes.
    for (const r of rows) expect(r.password).toMatch(/^[0-9a-f]{32}:[0-9a-f]{128}$/);
    expect(rows[0]!.password).not.toBe(rows[1]!.password);
    expect(rows[0]!.password).not.toContain(PASSWORD);
  });

  it('each sign-in issues a new session and ends the one the browser held; expired sessions are nobody; sign-out ends its session', async () => {
    await signUp('Cy', 'cy@example.com');
    const first = sessionCookie(await keep(await signIn('cy@example.com')));
    const secondRes = await keep(await signIn('cy@example.com', PASSWORD, { cookie: first }));
    const second = sessionCookie(secondRes);
    expect(second).not.toBe(first);
    expect(await me(first)).toBeNull();
    expect((await me(second))?.name).toBe('Cy');

    // Another device signs in without a cookie: both sessions live until one ends.
    const laptop = sessionCookie(await signIn('cy@example.com'));
    expect((await me(laptop))?.name).toBe('Cy');
    expect((await me(second))?.name).toBe('Cy');

    const token = decodeURIComponent(laptop.split('=')[1]!).split('.')[0]!;
    // Used two days after signing in: the session slides to a full week again, with a fresh cookie.
    const twoDaysIn = new Date(Date.now() + 5 * 86_400_000);
    await server.db.prisma.session.update({ where: { token }, data: { expiresAt: twoDaysIn } });
    const visit = await meRoute.GET(req('GET', '/api/account/me', { cookie: laptop }));
    expect(visit.headers.getSetCookie().some((c) => c.startsWith('crux.session_token=') && /Max-Age=604800/.test(c))).toBe(true);
    const slid = await server.db.prisma.session.findUniqueOrThrow({ where: { token } });
    expect(slid.expiresAt.getTime()).toBeGreaterThan(twoDaysIn.getTime() + 86_400_000);

    await server.db.prisma.session.update({ where: { token }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect(await me(laptop)).toBeNull();

    const out = await auth('/sign-out', {}, { cookie: second });
    expect(out.status).toBe(200);
    expect(out.headers.getSetCookie().some((c) => /^crux\.session_token=;/.test(c) && /Max-Age=0/.test(c))).toBe(true);
    expect(await me(second)).toBeNull();
  });

  it('sign-out everywhere revokes every session of the account', async () => {
    await signUp('Di', 'di@example.com');
    const devices = [
      sessionCookie(await signIn('di@example.com')),
      sessionCookie(await signIn('di@example.com')),
      sessionCookie(await signIn('di@example.com')),
    ];
    const user = await me(devices[0]);
    expect(await server.db.prisma.session.count({ where: { userId: user!.id } })).toBeGreaterThanOrEqual(3);
    expect((await auth('/revoke-sessions', {}, { cookie: devices[1] })).status).toBe(200);
    for (const d of devices) expect(await me(d)).toBeNull();
    expect(await server.db.prisma.session.count({ where: { userId: user!.id } })).toBe(0);
  });

  it('brute force: five failures lock the account for every address; one address is limited across accounts; X-Forwarded-For is not trusted', async () => {
    await signUp('Eve', 'eve@example.com');
    for (let i = 0; i < 5; i++) expect((await signIn('eve@example.com', 'wrong password', { ip: freshIp() })).status).toBe(401);
    const locked = await signIn('eve@example.com', PASSWORD, { ip: freshIp() });
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(60);
    expect(await server.db.prisma.session.count({ where: { user: { email: 'eve@example.com' } } })).toBe(1); // the sign-up's

    const ip = '10.99.0.1';
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const r = await authRoute.POST(
        req('POST', '/api/auth/sign-in/email', {
          ip,
          body: { email: `nobody${i}@example.com`, password: 'x' },
          headers: { 'x-forwarded-for': `172.16.0.${i}` },
        }),
      );
      statuses.push(r.status);
    }
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(10)).toEqual([429, 429]);

    // The address comes from the socket; X-Forwarded-For counts only behind a trusted proxy, and then its last hop.
    const srv = http.createServer((r, res) => {
      res.end(JSON.stringify([clientAddress(r, false), clientAddress(r, true)]));
    });
    await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', () => resolve()));
    const got = await fetch(`http://127.0.0.1:${(srv.address() as AddressInfo).port}/`, {
      headers: { 'x-forwarded-for': '6.6.6.6, 203.0.113.9' },
    });
    expect(await got.json()).toEqual(['127.0.0.1', '203.0.113.9']);
    srv.close();
  });

  it('sign-up validates with the same rules as the form, naming the field', async () => {
    const short = await signUp('Fay', 'fay@example.com', 'short');
    expect(short.status).toBe(400);
    const noName = await auth('/sign-up/email', { name: ' ', email: 'fay@example.com', password: PASSWORD });
    expect(noName.status).toBe(400);
    expect(((await noName.json()) as { message: string }).message).toMatch(/^name — /);
    expect(await server.db.prisma.user.count({ where: { email: 'fay@example.com' } })).toBe(0);
  });

  it('a guest joins with a name, gets a role from an invite, and later claims the account keeping that role', async () => {
    const owner = sessionCookie(await signUp('Gil', 'gil@example.com'));
    const ownerId = (await me(owner))!.id;
    await createDebate(server.db.prisma, { title: 'Guests welcome' }, 'gd', { kind: 'user', userId: ownerId });
    const inv = await keep(
      await debateInvitesRoute.POST(
        req('POST', '/api/debates/gd/invites', { cookie: owner, body: { role: 'participant', expiresInHours: 2 } }),
        ctx({ id: 'gd' }),
      ),
    );
    expect(inv.status).toBe(201);
    const token = ((await inv.json()) as InviteInfo).url!.split('/').pop()!;

    const bad = await guestRoute.POST(req('POST', '/api/account/guest', { body: { name: '' } }));
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { fields: { field: string }[] } }).error.fields[0]!.field).toBe('name');
    const joined = await keep(await guestRoute.POST(req('POST', '/api/account/guest', { body: { name: 'Visiting Hal' } })));
    expect(joined.status).toBe(201);
    const guest = sessionCookie(joined);
    const g = (await me(guest))!;
    expect(g).toMatchObject({ name: 'Visiting Hal', isGuest: true, email: null });

    expect((await inviteRoute.GET(req('GET', `/api/invites/${token}`), ctx({ token }))).status).toBe(200);
    expect((await inviteRoute.POST(req('POST', `/api/invites/${token}`, { body: {} }), ctx({ token }))).status).toBe(401);
    const accepted = await inviteRoute.POST(req('POST', `/api/invites/${token}`, { cookie: guest, body: {} }), ctx({ token }));
    expect(accepted.status).toBe(200);
    const access = async (cookie: string) =>
      (await (await accessRoute.GET(req('GET', '/api/debates/gd/access', { cookie }), ctx({ id: 'gd' }))).json()) as AccessInfo;
    expect((await access(guest)).role).toBe('participant');
    expect((await access(guest)).principal).toEqual({ userId: g.id, isGuest: true });

    // Guests cannot start teams or debates until they claim.
    expect((await teamsRoute.POST(req('POST', '/api/teams', { cookie: guest, body: { name: 'T' } }))).status).toBe(403);

    const taken = await claimRoute.POST(
      req('POST', '/api/account/claim', { cookie: guest, body: { email: 'gil@example.com', password: PASSWORD } }),
    );
    expect(taken.status).toBe(409);
    expect(((await taken.json()) as { error: { fields: { field: string }[] } }).error.fields[0]!.field).toBe('email');
    const claimed = await keep(
      await claimRoute.POST(req('POST', '/api/account/claim', { cookie: guest, body: { email: 'hal@example.com', password: PASSWORD } })),
    );
    expect(claimed.status).toBe(200);
    const fresh = sessionCookie(claimed);
    expect(await me(guest)).toBeNull();
    const now = (await me(fresh))!;
    expect(now).toMatchObject({ id: g.id, name: 'Visiting Hal', email: 'hal@example.com', isGuest: false });
    expect((await access(fresh)).role).toBe('participant');
    expect((await me(sessionCookie(await signIn('hal@example.com'))))?.id).toBe(g.id);
  });

  it('a guest who signs into an existing account brings their memberships along', async () => {
    const owner = sessionCookie(await signUp('Ivy', 'ivy@example.com'));
    await createDebate(server.db.prisma, { title: 'Merge' }, 'md', { kind: 'user', userId: (await me(owner))!.id });
    const inv = (await (
      await debateInvitesRoute.POST(
        req('POST', '/api/debates/md/invites', { cookie: owner, body: { role: 'participant' } }),
        ctx({ id: 'md' }),
      )
    ).json()) as InviteInfo;
    const token = inv.url!.split('/').pop()!;
    const account = await signUp('Jo', 'jo@example.com');
    const joId = (await me(sessionCookie(account)))!.id;
    const guest = sessionCookie(await guestRoute.POST(req('POST', '/api/account/guest', { body: { name: 'Jo (guest)' } })));
    await inviteRoute.POST(req('POST', `/api/invites/${token}`, { cookie: guest, body: {} }), ctx({ token }));
    const signedIn = await signIn('jo@example.com', PASSWORD, { cookie: guest });
    expect(signedIn.status).toBe(200);
    expect((await me(sessionCookie(signedIn)))?.id).toBe(joId);
    expect(await me(guest)).toBeNull();
    const role = await server.db.prisma.debateMember.findUnique({ where: { debateId_userId: { debateId: 'md', userId: joId } } });
    expect(role?.role).toBe('participant');
  });

  it('teams: create, invite by link with a role and an expiry, list, change roles, remove, leave; revoked and expired links are refused', async () => {
    const kim = sessionCookie(await signUp('Kim', 'kim@example.com'));
    const lee = sessionCookie(await signUp('Lee', 'lee@example.com'));
    const max = sessionCookie(await signUp('Max', 'max@example.com'));
    const created = await keep(await teamsRoute.POST(req('POST', '/api/teams', { cookie: kim, body: { name: 'Research' } })));
    expect(created.status).toBe(201);
    const { id: teamId } = (await created.json()) as { id: string };
    expect((await teamsRoute.POST(req('POST', '/api/teams', { cookie: kim, body: { name: '' } }))).status).toBe(400);

    const invite = async (cookie: string, role: string, expiresInHours = 24) =>
      teamInvitesRoute.POST(req('POST', `/api/teams/${teamId}/invites`, { cookie, body: { role, expiresInHours } }), ctx({ id: teamId }));
    const modLink = (await (await keep(await invite(kim, 'moderator'))).json()) as InviteInfo;
    const tokenOf = (i: InviteInfo) => i.url!.split('/').pop()!;
    expect(
      (await inviteRoute.POST(req('POST', `/api/invites/${tokenOf(modLink)}`, { cookie: lee, body: {} }), ctx({ token: tokenOf(modLink) })))
        .status,
    ).toBe(200);

    // A moderator invites participants, not moderators.
    expect((await invite(lee, 'moderator')).status).toBe(403);
    const partLink = (await (await invite(lee, 'participant')).json()) as InviteInfo;
    expect(
      (
        await inviteRoute.POST(
          req('POST', `/api/invites/${tokenOf(partLink)}`, { cookie: max, body: {} }),
          ctx({ token: tokenOf(partLink) }),
        )
      ).status,
    ).toBe(200);

    const detail = (await (
      await keep(await teamRoute.GET(req('GET', `/api/teams/${teamId}`, { cookie: max }), ctx({ id: teamId })))
    ).json()) as TeamDetail;
    expect(detail.members.map((m) => [m.name, m.role])).toEqual([
      ['Kim', 'owner'],
      ['Lee', 'moderator'],
      ['Max', 'participant'],
    ]);
    const id = (name: string) => detail.members.find((m) => m.name === name)!.userId;

    const patch = (cookie: string, userId: string, role: string) =>
      teamMemberRoute.PATCH(
        req('PATCH', `/api/teams/${teamId}/members/${userId}`, { cookie, body: { role } }),
        ctx({ id: teamId, userId }),
      );
    expect((await patch(max, id('Lee'), 'viewer')).status).toBe(403);
    expect((await patch(lee, id('Max'), 'moderator')).status).toBe(403);
    expect((await patch(lee, id('Max'), 'viewer')).status).toBe(200);
    expect((await patch(kim, id('Max'), 'owner')).status).toBe(200);
    expect((await patch(max, id('Kim'), 'participant')).status).toBe(200);
    // The last owner cannot step down or leave.
    expect((await patch(max, id('Max'), 'participant')).status).toBe(409);
    const del = (cookie: string, userId: string) =>
      teamMemberRoute.DELETE(req('DELETE', `/api/teams/${teamId}/members/${userId}`, { cookie }), ctx({ id: teamId, userId }));
    expect((await del(max, id('Max'))).status).toBe(409);
    expect((await del(kim, id('Lee'))).status).toBe(403);
    expect((await del(max, id('Lee'))).status).toBe(204);
    expect((await del(kim, id('Kim'))).status).toBe(204);
    expect((await teamRoute.GET(req('GET', `/api/teams/${teamId}`, { cookie: kim }), ctx({ id: teamId }))).status).toBe(403);

    const revoked = (await (await invite(max, 'viewer')).json()) as InviteInfo;
    expect(
      (
        await teamInviteRoute.DELETE(
          req('DELETE', `/api/teams/${teamId}/invites/${revoked.id}`, { cookie: max }),
          ctx({ id: teamId, inviteId: revoked.id }),
        )
      ).status,
    ).toBe(204);
    expect(
      (await inviteRoute.POST(req('POST', `/api/invites/${tokenOf(revoked)}`, { cookie: kim, body: {} }), ctx({ token: tokenOf(revoked) })))
        .status,
    ).toBe(403);
    const expiring = (await (await invite(max, 'viewer', 1)).json()) as InviteInfo;
    await server.db.prisma.invite.update({ where: { id: expiring.id }, data: { expiresAt: new Date(Date.now() - 1) } });
    const expired = await inviteRoute.GET(req('GET', `/api/invites/${tokenOf(expiring)}`), ctx({ token: tokenOf(expiring) }));
    expect(await expired.json()).toMatchObject({ valid: false, problem: 'expired' });
    expect(
      (
        await inviteRoute.POST(
          req('POST', `/api/invites/${tokenOf(expiring)}`, { cookie: kim, body: {} }),
          ctx({ token: tokenOf(expiring) }),
        )
      ).status,
    ).toBe(403);
    expect(await server.db.prisma.teamMember.count({ where: { teamId } })).toBe(1);
    expect((await invite(max, 'viewer', 0)).status).toBe(400);
  });

  it('the audit log records membership, role, visibility, lock and hide actions with who and when, for moderators', async () => {
    const nia = sessionCookie(await signUp('Nia', 'nia@example.com'));
    const oli = sessionCookie(await signUp('Oli', 'oli@example.com'));
    await createDebate(server.db.prisma, { title: 'Audited' }, 'ad', { kind: 'user', userId: (await me(nia))!.id });
    const inv = (await (
      await debateInvitesRoute.POST(req('POST', '/api/debates/ad/invites', { cookie: nia, body: { role: 'viewer' } }), ctx({ id: 'ad' }))
    ).json()) as InviteInfo;
    const token = inv.url!.split('/').pop()!;
    await inviteRoute.POST(req('POST', `/api/invites/${token}`, { cookie: oli, body: {} }), ctx({ token }));
    const oliId = (await me(oli))!.id;
    expect(
      (
        await memberRoute.PATCH(
          req('PATCH', `/api/debates/ad/members/${oliId}`, { cookie: nia, body: { role: 'moderator' } }),
          ctx({ id: 'ad', userId: oliId }),
        )
      ).status,
    ).toBe(200);
    await visibilityRoute.PUT(req('PUT', '/api/debates/ad/visibility', { cookie: nia, body: { visibility: 'link' } }), ctx({ id: 'ad' }));
    await lockRoute.PUT(req('PUT', '/api/debates/ad/lock', { cookie: oli, body: { locked: true } }), ctx({ id: 'ad' }));
    await hiddenRoute.POST(
      req('POST', '/api/debates/ad/hidden', { cookie: oli, body: { claimId: 'c9', hidden: true } }),
      ctx({ id: 'ad' }),
    );
    const hidden = (await (await hiddenRoute.GET(req('GET', '/api/debates/ad/hidden', { cookie: oli }), ctx({ id: 'ad' }))).json()) as {
      items: { claimId: string }[];
    };
    expect(hidden.items.map((h) => h.claimId)).toEqual(['c9']);
    await keep(await membersRoute.GET(req('GET', '/api/debates/ad/members', { cookie: oli }), ctx({ id: 'ad' })));

    const log = (await (await auditRoute.GET(req('GET', '/api/debates/ad/audit', { cookie: oli }), ctx({ id: 'ad' }))).json()) as {
      items: AuditEntryInfo[];
    };
    expect(log.items.map((e) => [e.action, e.actorName, e.target])).toEqual([
      ['claim.hide', 'Oli', 'c9'],
      ['debate.lock', 'Oli', null],
      ['debate.visibility', 'Nia', null],
      ['member.role', 'Nia', oliId],
      ['member.add', 'Oli', oliId],
      ['invite.create', 'Nia', inv.id],
    ]);
    for (const e of log.items) expect(Date.now() - Date.parse(e.createdAt)).toBeLessThan(60_000);
    const page = (await (await auditRoute.GET(req('GET', '/api/debates/ad/audit?limit=2', { cookie: oli }), ctx({ id: 'ad' }))).json()) as {
      items: AuditEntryInfo[];
      nextBefore: number;
    };
    const next = (await (
      await auditRoute.GET(req('GET', `/api/debates/ad/audit?limit=2&before=${page.nextBefore}`, { cookie: oli }), ctx({ id: 'ad' }))
    ).json()) as {
      items: AuditEntryInfo[];
    };
    expect(next.items.map((e) => e.action)).toEqual(['debate.visibility', 'member.role']);
  });

  it('no response ever carries a password hash or a password field', async () => {
    const session = await keep(
      await authRoute.GET(req('GET', '/api/auth/get-session', { cookie: sessionCookie(await signIn('ada@example.com')) })),
    );
    expect(session.status).toBe(200);
    const hashes = (await server.db.sql.query<{ password: string }>(`SELECT "password" FROM "Account"`)).map((r) => r.password);
    expect(bodies.length).toBeGreaterThan(10);
    for (const b of bodies) {
      expect(b).not.toMatch(/"password"/);
      for (const h of hashes) expect(b).not.toContain(h.split(':')[1]!.slice(0, 32));
    }
  });
});

describe('accounts behind https', () => {
  it('a Crux served over https (CRUX_PUBLIC_URL) sets Secure cookies under the __Secure- prefix', async () => {
    // Its own server, after the other's: the runtime is one per process.
    const s2 = await createStore('pglite');
    const https = await startTestServer(s2, {}, { publicUrl: 'https://crux.example' });
    try {
      const res = await authRoute.POST(
        new Request('https://crux.example/api/auth/sign-up/email', {
          method: 'POST',
          headers: { origin: 'https://crux.example', 'content-type': 'application/json', 'x-crux-client-ip': freshIp() },
          body: JSON.stringify({ name: 'Sec', email: 'sec@example.com', password: PASSWORD }),
        }),
      );
      expect(res.status).toBe(200);
      const cookie = res.headers.getSetCookie()[0]!;
      expect(cookie).toMatch(/^__Secure-crux\.session_token=/);
      expect(cookie).toMatch(/; Secure/);
      expect(cookie).toMatch(/; HttpOnly/);
      // Behind CRUX_PUBLIC_URL, the Origin must be that URL.
      const wrong = await authRoute.POST(
        new Request('https://crux.example/api/auth/sign-in/email', {
          method: 'POST',
          headers: { origin: 'http://crux.example', 'content-type': 'application/json' },
          body: JSON.stringify({ email: 'sec@example.com', password: PASSWORD }),
        }),
      );
      expect(wrong.status).toBe(403);
    } finally {
      await https.close();
      await s2.dispose();
    }
  });
});
