import { getRuntime } from '@/server/runtime';
import { ApiError, route } from '@/server/http/errors';
import { requireDebateAction } from '@/server/access/guard';
import { deleteDebate, getDebate } from '@/server/services/debates';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ id: string }> };

export const GET = route(async (req: Request, ctx: Ctx) => {
  const { id } = await ctx.params;
  await requireDebateAction(req, id, 'debate.read');
  const debate = await getDebate(getRuntime().db.prisma, id);
  if (!debate) throw new ApiError('not_found', `debate ${id} not found`);
  return Response.json(debate);
});

/** Owners only: the debate, its document and everything attached to it. */
export const DELETE = route(async (req: Request, ctx: Ctx) => {
  const { id } = await ctx.params;
  const who = await requireDebateAction(req, id, 'debate.delete');
  await deleteDebate(getRuntime(), id, { id: who.user?.id ?? null, name: who.actorName });
  return new Response(null, { status: 204 });
});
