import { route } from '@/server/http/errors';
import { getAuth } from '@/server/auth/auth';
import { colourFor } from '@/lib/presence';
import type { MeInfo } from '@/lib/schemas/access';

export const dynamic = 'force-dynamic';

/**
 * Who is signed in: an account, a guest, or nobody. Every page asks this, so it is also where an
 * active session is extended (better-auth re-issues the cookie once a day of its lifetime has
 * passed): sessions expire after a week without a visit, not a week after signing in.
 */
export const GET = route(async (req: Request) => {
  const headers = new Headers({ 'cache-control': 'no-store' });
  let body: MeInfo = { user: null };
  if (req.headers.get('cookie')) {
    const res = await (await getAuth()).api.getSession({ headers: req.headers, asResponse: true });
    for (const c of res.headers.getSetCookie()) headers.append('set-cookie', c);
    const s = (await res.json()) as { user: { id: string; name: string; email: string; isAnonymous?: boolean | null } } | null;
    if (s) {
      const isGuest = s.user.isAnonymous === true;
      body = { user: { id: s.user.id, name: s.user.name, email: isGuest ? null : s.user.email, isGuest, colour: colourFor(s.user.id) } };
    }
  }
  return Response.json(body, { headers });
});
