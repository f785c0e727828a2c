import type { IncomingMessage } from 'node:http';
import { can, effectiveRole, type Principal } from '../../lib/permissions';
import type { Database } from '../db/client';
import type { Admit } from '../transport/sync';
import { getRuntime } from '../runtime';
import { presenceFor } from '../../lib/presence';
import { readSession, toHeaders, type SessionUser } from '../auth/session';
import { loadDebateGrants } from './grants';
import { liveAccess, type Verdict, type Watched } from './live';
import { ACCESS_TOPIC } from './changes';

/** The session cookie's token (before its signature), to match sockets to a session that ends. */
function sessionTokenOf(cookie: string | undefined): string | null {
  if (!cookie) return null;
  const m = /(?:^|;\s*)(?:__Secure-)?crux\.session_token=([^;]+)/.exec(cookie);
  return m ? decodeURIComponent(m[1]!).split('.')[0]! : null;
}

/**
 * A browser always sends Origin on a WebSocket handshake, and a page on another site must not
 * open a socket with our visitor's cookies. Clients outside a browser send none.
 */
function sameOriginUpgrade(req: IncomingMessage, publicUrl: string | undefined): boolean {
  const origin = req.headers.origin;
  if (!origin) return true;
  try {
    const o = new URL(origin);
    if (publicUrl) return o.origin === new URL(publicUrl).origin;
    return o.host === req.headers.host;
  } catch {
    return false;
  }
}

async function evaluate(
  db: Database,
  headers: Headers,
  debateId: string,
  linkToken: string | null,
): Promise<{ verdict: Verdict; principal: Principal; user: SessionUser | null }> {
  const session = await readSession(headers);
  const { principal } = session;
  const g = await loadDebateGrants(db.prisma, debateId, principal.userId, linkToken);
  const hadSession = sessionTokenOf(headers.get('cookie') ?? undefined) !== null;
  if (!g)
    return {
      principal,
      user: session.user,
      verdict: {
        exists: false,
        signedIn: principal.userId !== null,
        hadSession,
        role: null,
        canWrite: false,
        locked: false,
        phase: 'closed',
      },
    };
  const role = effectiveRole(principal, g.access, g.grants);
  return {
    principal,
    user: session.user,
    verdict: {
      exists: true,
      signedIn: principal.userId !== null,
      hadSession,
      role,
      canWrite: can(principal, g.access, g.grants, 'map.edit').ok,
      locked: g.access.locked,
      phase: g.access.phase,
    },
  };
}

/**
 * Decides who may open a debate's sync socket: 404 when the debate does not exist, 401 when
 * nobody is signed in and the debate is not open to visitors, 403 when the signed-in principal
 * has no role on it. Admitted sockets stay registered so that what they may write follows role,
 * lock and phase changes without reconnecting (server/access/live.ts). `?invite=<token>` presents a
 * link for link-visible debates.
 */
export function createAdmit(db: Database): Admit {
  return async (req, debateId) => {
    const publicUrl = getRuntime().config.publicUrl;
    if (!sameOriginUpgrade(req, publicUrl)) return { ok: false, status: 403, reason: 'Forbidden' };
    const headers = toHeaders(req.headers);
    const linkToken = new URL(req.url ?? '/', 'http://localhost').searchParams.get('invite');
    const first = await evaluate(db, headers, debateId, linkToken);
    if (!first.verdict.exists) return { ok: false, status: 404, reason: 'Not Found' };
    if (first.verdict.role === null)
      return first.principal.userId === null
        ? { ok: false, status: 401, reason: 'Unauthorized' }
        : { ok: false, status: 403, reason: 'Forbidden' };

    const registry = liveAccess();
    const w: Watched = {
      debateId,
      userId: first.principal.userId,
      sessionToken: sessionTokenOf(req.headers.cookie),
      verdict: first.verdict,
      checkedAt: Date.now(),
      evaluate: async () => (await evaluate(db, headers, debateId, linkToken)).verdict,
    };
    const label = first.principal.userId ? `user ${first.principal.userId}` : `visitor ${req.socket.remoteAddress ?? '?'}`;
    return {
      ok: true,
      label,
      // Cursors show the account's name and colour whatever the client claims.
      identity: { key: first.user ? `u:${first.user.id}` : 'visitor', user: presenceFor(first.user) },
      canWrite: () => registry.canWrite(w),
      watch: (peer) => {
        const detach = registry.attach(w, peer);
        // Changes made through another instance arrive on the live bus.
        const unsubscribe = getRuntime().live.subscribe(debateId, (e) => {
          if (e.topic === ACCESS_TOPIC || e.topic === '*') void registry.refresh(w);
        });
        return () => {
          unsubscribe();
          detach();
        };
      },
    };
  };
}
