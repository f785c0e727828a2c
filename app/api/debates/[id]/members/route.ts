import { getRuntime } from '@/server/runtime';
import { route } from '@/server/http/errors';
import { requireDebateAction } from '@/server/access/guard';
import { listDebateMembers } from '@/server/services/members';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ id: string }> };

/** Moderators: who has an explicit role on the debate. */
export const GET = route(async (req: Request, ctx: Ctx) => {
  const { id } = await ctx.params;
  await requireDebateAction(req, id, 'invite.manage');
  return Response.json({ items: await listDebateMembers(getRuntime().db.prisma, id) });
});
