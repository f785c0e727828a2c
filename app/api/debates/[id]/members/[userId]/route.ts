import { getRuntime } from '@/server/runtime';
import { ApiError, parseJson, route } from '@/server/http/errors';
import { requireDebateAction } from '@/server/access/guard';
import { removeDebateMember, setDebateMemberRole } from '@/server/services/members';
import { setDebateMemberRoleSchema } from '@/lib/schemas/access';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ id: string; userId: string }> };

/** Moderators change viewers and participants; owners change anyone below owner. */
export const PATCH = route(async (req: Request, ctx: Ctx) => {
  const { id, userId } = await ctx.params;
  const who = await requireDebateAction(req, id, 'invite.manage');
  const { role } = await parseJson(req, setDebateMemberRoleSchema);
  if (!who.user) throw new ApiError('unauthorized', 'sign in first');
  return Response.json(await setDebateMemberRole(getRuntime(), id, { id: who.user.id, name: who.actorName, role: who.role }, userId, role));
});

/** Removes a member (same rule as PATCH), or leaves when it is the caller. */
export const DELETE = route(async (req: Request, ctx: Ctx) => {
  const { id, userId } = await ctx.params;
  const reader = await requireDebateAction(req, id, 'debate.read');
  const who = reader.user?.id === userId ? reader : await requireDebateAction(req, id, 'invite.manage');
  if (!who.user) throw new ApiError('unauthorized', 'sign in first');
  await removeDebateMember(getRuntime(), id, { id: who.user.id, name: who.actorName, role: who.role }, userId);
  return new Response(null, { status: 204 });
});
