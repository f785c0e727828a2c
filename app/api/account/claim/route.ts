import { getRuntime } from '@/server/runtime';
import { ApiError, parseJson, route } from '@/server/http/errors';
import { requireUser } from '@/server/access/guard';
import { claimGuestAccount } from '@/server/auth/claim';
import { clientIpOf } from '@/server/access/clientIp';
import { claimAccountSchema } from '@/lib/schemas/access';

export const dynamic = 'force-dynamic';

/** A guest adds an email and password and keeps everything: same account, same roles. */
export const POST = route(async (req: Request) => {
  const { user } = await requireUser(req, { allowGuest: true });
  if (!user.isGuest) throw new ApiError('conflict', 'this account already has an email and password');
  const input = await parseJson(req, claimAccountSchema);
  const headers = await claimGuestAccount(getRuntime(), user.id, input, clientIpOf(req));
  return Response.json({ ok: true }, { headers });
});
