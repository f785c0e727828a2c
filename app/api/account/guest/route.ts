import { ApiError, parseJson, route } from '@/server/http/errors';
import { requirePrincipal } from '@/server/access/guard';
import { joinAsGuest } from '@/server/auth/guest';
import { clientIpOf } from '@/server/access/clientIp';
import { guestSchema } from '@/lib/schemas/access';

export const dynamic = 'force-dynamic';

/** Join with a display name only: a guest account bound to this browser's cookie. */
export const POST = route(async (req: Request) => {
  const session = await requirePrincipal(req);
  if (session.user) throw new ApiError('conflict', 'already signed in');
  const { name } = await parseJson(req, guestSchema);
  const { user, headers } = await joinAsGuest(name, clientIpOf(req));
  return Response.json({ user }, { status: 201, headers });
});
