import { getRuntime } from '@/server/runtime';
import { ApiError, parseJson, route } from '@/server/http/errors';
import { requireDebateAction } from '@/server/access/guard';
import { transferDebate } from '@/server/services/debates';
import { transferSchema } from '@/lib/schemas/access';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ id: string }> };

/** Owners: hand the debate to a member of it, or to a team they own. */
export const POST = route(async (req: Request, ctx: Ctx) => {
  const { id } = await ctx.params;
  const who = await requireDebateAction(req, id, 'debate.transfer');
  const input = await parseJson(req, transferSchema);
  if (!who.user) throw new ApiError('unauthorized', 'sign in first');
  await transferDebate(getRuntime(), id, { id: who.user.id, name: who.actorName }, input);
  return new Response(null, { status: 204 });
});
