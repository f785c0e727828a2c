import { getRuntime } from '@/server/runtime';
import { ApiError, parseJson, route } from '@/server/http/errors';
import { requireTeamAction } from '@/server/access/guard';
import { createInvite, listInvites } from '@/server/services/invites';
import { createInviteSchema } from '@/lib/schemas/access';
import { canAssignRole } from '@/lib/permissions';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ id: string }> };

export const GET = route(async (req: Request, ctx: Ctx) => {
  const { id } = await ctx.params;
  await requireTeamAction(req, id, 'team.invite');
  return Response.json({ items: await listInvites(getRuntime().db.prisma, { kind: 'team', teamId: id }) });
});

/** Makes an invite link; its url is in this response only. */
export const POST = route(async (req: Request, ctx: Ctx) => {
  const { id } = await ctx.params;
  const { session, role } = await requireTeamAction(req, id, 'team.invite');
  const input = await parseJson(req, createInviteSchema);
  if (!canAssignRole(role, null, input.role))
    throw new ApiError('forbidden', `your role (${role}) may not invite ${input.role}s`, [
      { field: 'role', message: 'above what you may grant' },
    ]);
  const invite = await createInvite(
    getRuntime().db.prisma,
    { kind: 'team', teamId: id },
    { id: session.user.id, name: session.user.name },
    input.role,
    input.expiresInHours,
  );
  return Response.json(invite, { status: 201 });
});
