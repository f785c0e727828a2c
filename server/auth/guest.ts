import { ApiError } from '../http/errors';
import { CLIENT_IP_HEADER } from '../access/clientIp';
import { GUEST_JOINS, sharedLimiter, type SharedLimiter } from '../access/rateLimit';
import { getRuntime } from '../runtime';
import { getAuth } from './auth';

/** Guest accounts per address (GUEST_JOINS), counted across instances. */
const limiter = (): SharedLimiter => sharedLimiter(getRuntime().db, 'guests', GUEST_JOINS);

/** Creates a guest (better-auth anonymous user) named `name`; returns it and the Set-Cookie headers of its session. */
export async function joinAsGuest(
  name: string,
  clientIp: string | null,
): Promise<{ user: { id: string; name: string }; headers: Headers }> {
  const wait = await limiter().take(`ip:${clientIp ?? 'unknown'}`);
  if (wait !== null)
    throw new ApiError('rate_limited', `too many guests from this address: try again in ${wait} s`, [], { 'Retry-After': String(wait) });
  const auth = await getAuth();
  const headers = new Headers();
  if (clientIp) headers.set(CLIENT_IP_HEADER, clientIp);
  // The endpoint declares no body; the name travels in it anyway and generateName (auth.ts) validates it.
  const signIn = auth.api.signInAnonymous as unknown as (input: {
    body: { name: string };
    headers: Headers;
    asResponse: true;
  }) => Promise<Response>;
  const res = await signIn({ body: { name }, headers, asResponse: true });
  if (!res.ok)
    throw new ApiError(
      'bad_request',
      ((await res.json().catch(() => null)) as { message?: string } | null)?.message ?? 'could not join as a guest',
    );
  const body = (await res.json()) as { user: { id: string; name: string } };
  const out = new Headers();
  for (const c of res.headers.getSetCookie()) out.append('set-cookie', c);
  return { user: { id: body.user.id, name: body.user.name }, headers: out };
}
