import { route } from '@/server/http/errors';
import { getAuth } from '@/server/auth/auth';

export const dynamic = 'force-dynamic';

/** better-auth: sign-up, sign-in, sign-out, sessions, guests. route() refuses cross-site writes first. */
const handle = route(async (req: Request) => (await getAuth()).handler(req));

export const GET = handle;
export const POST = handle;
