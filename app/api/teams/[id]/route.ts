import { getRuntime } from '@/server/runtime';
import { route } from '@/server/http/errors';
import { requireTeamAction } from '@/server/access/guard';
import { getTeam } from '@/server/services/members';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ id: string }> };

/** The team and its members (any member). */
export const GET = route(async (req: Request, ctx: Ctx) => {
  const { id } = await ctx.params;
  const { role } = await requireTeamAction(req, id, 'team.read');
  return Response.json(await getTeam(getRuntime().db.prisma, id, role));
});
