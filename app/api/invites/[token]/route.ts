import { getRuntime } from '@/server/runtime';
import { route } from '@/server/http/errors';
import { requireUser } from '@/server/access/guard';
import { acceptInvite, previewInvite } from '@/server/services/invites';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ token: string }> };

/** What the link invites to (anyone holding it may ask). */
export const GET = route(async (_req: Request, ctx: Ctx) => {
  const { token } = await ctx.params;
  return Response.json(await previewInvite(getRuntime().db.prisma, token));
});

/** Accepts: the caller (an account or a guest) joins with the link's role. */
export const POST = route(async (req: Request, ctx: Ctx) => {
  const { token } = await ctx.params;
  const { user } = await requireUser(req, { allowGuest: true });
  return Response.json(await acceptInvite(getRuntime(), token, user));
});
