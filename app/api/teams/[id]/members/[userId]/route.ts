import { getRuntime } from '@/server/runtime';
import { parseJson, route } from '@/server/http/errors';
import { requireTeamAction } from '@/server/access/guard';
import { removeTeamMember, setTeamMemberRole } from '@/server/services/members';
import { setTeamMemberRoleSchema } from '@/lib/schemas/access';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ id: string; userId: string }> };

/** Changes a member's role (moderators: viewers and participants; owners: anyone). */
export const PATCH = route(async (req: Request, ctx: Ctx) => {
  const { id, userId } = await ctx.params;
  const { session, role } = await requireTeamAction(req, id, 'team.members');
  const input = await parseJson(req, setTeamMemberRoleSchema);
  const actor = { id: session.user.id, name: session.user.name, role };
  return Response.json(await setTeamMemberRole(getRuntime(), id, actor, userId, input.role));
});

/** Removes a member, or leaves the team when it is the caller. */
export const DELETE = route(async (req: Request, ctx: Ctx) => {
  const { id, userId } = await ctx.params;
  const { session, role } = await requireTeamAction(req, id, 'team.read');
  const actor = { id: session.user.id, name: session.user.name, role };
  await removeTeamMember(getRuntime(), id, actor, userId);
  return new Response(null, { status: 204 });
});
