import { getRuntime } from '@/server/runtime';
import { parseJson, route } from '@/server/http/errors';
import { requireTeamAction } from '@/server/access/guard';
import { deleteTeam, getTeam, renameTeam } from '@/server/services/members';
import { createTeamSchema } from '@/lib/schemas/access';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ id: string }> };

/** The team and its members (any member). */
export const GET = route(async (req: Request, ctx: Ctx) => {
  const { id } = await ctx.params;
  const { role } = await requireTeamAction(req, id, 'team.read');
  return Response.json(await getTeam(getRuntime().db.prisma, id, role));
});

/** Renames the team (owners). */
export const PATCH = route(async (req: Request, ctx: Ctx) => {
  const { id } = await ctx.params;
  const { session, role } = await requireTeamAction(req, id, 'team.rename');
  const input = await parseJson(req, createTeamSchema);
  const actor = { id: session.user.id, name: session.user.name, role };
  return Response.json(await renameTeam(getRuntime().db.prisma, id, actor, input));
});

/** Deletes the team (owners); refused with 409 while it still owns debates. */
export const DELETE = route(async (req: Request, ctx: Ctx) => {
  const { id } = await ctx.params;
  const { session, role } = await requireTeamAction(req, id, 'team.delete');
  const actor = { id: session.user.id, name: session.user.name, role };
  await deleteTeam(getRuntime(), id, actor);
  return new Response(null, { status: 204 });
});
