import type { Principal } from '../../lib/permissions';
import { getAuth } from './auth';
import type { Runtime } from '../runtime';

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
 * side effects.
 */
export async function readSession(headers: Headers, rt?: Runtime): Promise<SessionInfo> {
  if (!headers.get('cookie')) return NO_SESSION;
  const auth = await getAuth(rt);
  const s = await auth.api.getSession({ headers, query: { disableRefresh: true } });
  if (!s) return NO_SESSION;
  const isGuest = (s.user as { isAnonymous?: boolean | null }).isAnonymous === true;
  return {
    principal: { userId: s.user.id, isGuest },
    user: { id: s.user.id, name: s.user.name, email: isGuest ? null : s.user.email, isGuest },
    sessionId: s.session.id,
  };
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
