import type { Principal } from '../../lib/permissions';
import { getAuth } from './auth';
import { getRuntime, type Runtime } from '../runtime';
import { sessionCacheOf, sessionKeyOf } from './sessionCache';
import type { ApiHeaders } from '../http/request';

export interface SessionUser {
  id: string;
  name: string;
  /** null for guests (their stored address is a placeholder). */
  email: string | null;
  isGuest: boolean;
}

export interface SessionInfo {
  principal: Principal;
  user: SessionUser | null;
  sessionId: string | null;
}

export const NO_SESSION: SessionInfo = { principal: { userId: null, isGuest: false }, user: null, sessionId: null };

/**
 * Who sent these headers: the user of a valid, unexpired session cookie, or nobody. Never
 * extends the session (the client's own get-session call does that), so checking access has no
 * side effects. A verified session is reused for a few seconds (server/auth/sessionCache.ts),
 * never past its expiry; ending it (sign-out, revocation, account changes) drops it at once on
 * every instance.
 */
export async function readSession(headers: ApiHeaders, rt: Runtime = getRuntime()): Promise<SessionInfo> {
  const key = sessionKeyOf(headers.get('cookie'));
  if (key === null) return NO_SESSION;
  const cache = sessionCacheOf(rt.live);
  const cached = cache.get(key);
  if (cached && cached.until > Date.now()) return cached.info;
  const generation = cache.generation;
  if (cached) {
    // Due for a re-check: is the session still there and unexpired, and who is its user now?
    const [row] = await rt.db.sql.query<{ expiresAt: Date | string; id: string; name: string; email: string; isAnonymous: boolean }>(
      SESSION_ALIVE_SQL,
      [cached.sessionId],
      'crux_session_alive',
    );
    const expiresAt = row ? new Date(row.expiresAt).getTime() : 0;
    if (row && row.id === cached.userId && expiresAt > Date.now()) {
      const info = sessionInfo(row, row.isAnonymous, cached.sessionId);
      cache.set(key, info, cached.sessionId, expiresAt, generation);
      return info;
    }
    // Gone or expired: better-auth answers (and cleans up) as for any cookie.
    cache.remove(key);
  }
  const auth = await getAuth(rt);
  const s = await auth.api.getSession({
    headers: headers instanceof Headers ? headers : new Headers([...headers]),
    query: { disableRefresh: true },
  });
  if (!s) return NO_SESSION;
  const info = sessionInfo(s.user, (s.user as { isAnonymous?: boolean | null }).isAnonymous === true, s.session.id);
  cache.set(key, info, s.session.id, new Date(s.session.expiresAt).getTime(), generation);
  return info;
}

/** The session row by id, with its user: what a cached session is re-checked against. */
const SESSION_ALIVE_SQL = `SELECT s."expiresAt", u."id", u."name", u."email", u."isAnonymous"
  FROM "Session" s JOIN "User" u ON u."id" = s."userId" WHERE s."id" = $1`;

/** Shared by every request that hits the cache: frozen, so nobody can change it. */
function sessionInfo(user: { id: string; name: string; email: string }, isGuest: boolean, sessionId: string): SessionInfo {
  return Object.freeze({
    principal: Object.freeze({ userId: user.id, isGuest }),
    user: Object.freeze({ id: user.id, name: user.name, email: isGuest ? null : user.email, isGuest }),
    sessionId,
  });
}

/** Node's header object as Fetch Headers (for the sync socket's upgrade request). */
export function toHeaders(raw: Record<string, string | string[] | undefined>): Headers {
  const h = new Headers();
  for (const [k, v] of Object.entries(raw)) {
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const x of v) h.append(k, x);
    else h.set(k, v);
  }
  return h;
}
