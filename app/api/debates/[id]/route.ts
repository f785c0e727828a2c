import { getRuntime } from '@/server/runtime';
import { ApiError, route } from '@/server/http/errors';
import { getDebate } from '@/server/services/debates';

export const dynamic = 'force-dynamic';

export const GET = route(async (_req: Request, ctx: { params: Promise<{ id: string }> }) => {
  const { id } = await ctx.params;
  const debate = await getDebate(getRuntime().db.prisma, id);
  if (!debate) throw new ApiError('not_found', `debate ${id} not found`);
  return Response.json(debate);
});
