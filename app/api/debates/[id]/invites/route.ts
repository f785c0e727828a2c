import { getRuntime } from '@/server/runtime';
import { ApiError, parseJson, route } from '@/server/http/errors';
import { requireDebateAction } from '@/server/access/guard';
import { createInvite, listInvites } from '@/server/services/invites';
import { createInviteSchema } from '@/lib/schemas/access';
import { canAssignRole } from '@/lib/permissions';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ id: string }> };

export const GET = route(async (req: Request, ctx: Ctx) => {
  const { id } = await ctx.params;
  await requireDebateAction(req, id, 'invite.manage');
  return Response.json({ items: await listInvites(getRuntime().db.prisma, { kind: 'debate', debateId: id }) });
});

/** Moderators invite viewers and participants, owners moderators too. The url is in this response only. */
export const POST = route(async (req: Request, ctx: Ctx) => {
  const { id } = await ctx.params;
  const who = await requireDebateAction(req, id, 'invite.manage');
  const input = await parseJson(req, createInviteSchema);
  if (!who.user) throw new ApiError('unauthorized', 'sign in first');
  if (!canAssignRole(who.role, null, input.role))
    throw new ApiError('forbidden', `your role (${who.role}) may not invite ${input.role}s`, [
      { field: 'role', message: 'above what you may grant' },
    ]);
  const invite = await createInvite(
    getRuntime().db.prisma,
    { kind: 'debate', debateId: id },
    { id: who.user.id, name: who.actorName },
    input.role,
    input.expiresInHours,
  );
  return Response.json(invite, { status: 201 });
});
