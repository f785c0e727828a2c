import { assertStorable, route } from '@/server/http/errors';
import { getAuth } from '@/server/auth/auth';

export const dynamic = 'force-dynamic';

/**
 * better-auth: sign-up, sign-in, sign-out, sessions, guests. route() refuses cross-site writes
 * first; a JSON body holding a string the database cannot store (a NUL, a lone surrogate) gets a
 * 400 naming the field here, instead of a 500 from deep inside better-auth's adapter.
 */
const handle = route(async (req: Request) => {
  const auth = await getAuth();
  if (req.method !== 'POST' || !(req.headers.get('content-type') ?? '').includes('json')) return auth.handler(req);
  const text = await req.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined; // better-auth answers malformed JSON itself
  }
  assertStorable(body);
  return auth.handler(new Request(req, { body: text }));
});

export const GET = handle;
export const POST = handle;
