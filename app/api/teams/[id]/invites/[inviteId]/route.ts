import { getRuntime } from '@/server/runtime';
import { route } from '@/server/http/errors';
import { requireTeamAction } from '@/server/access/guard';
import { revokeInvite } from '@/server/services/invites';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ id: string; inviteId: string }> };

/** Revokes the link: it can no longer be accepted. */
export const DELETE = route(async (req: Request, ctx: Ctx) => {
  const { id, inviteId } = await ctx.params;
  const { session } = await requireTeamAction(req, id, 'team.invite');
  await revokeInvite(getRuntime(), { kind: 'team', teamId: id }, inviteId, { id: session.user.id, name: session.user.name });
  return new Response(null, { status: 204 });
});
