import { getRuntime } from '@/server/runtime';
import { route } from '@/server/http/errors';
import { requireDebateAction } from '@/server/access/guard';
import { revokeInvite } from '@/server/services/invites';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ id: string; inviteId: string }> };

export const DELETE = route(async (req: Request, ctx: Ctx) => {
  const { id, inviteId } = await ctx.params;
  const who = await requireDebateAction(req, id, 'invite.manage');
  await revokeInvite(getRuntime(), { kind: 'debate', debateId: id }, inviteId, { id: who.user?.id ?? null, name: who.actorName });
  return new Response(null, { status: 204 });
});
