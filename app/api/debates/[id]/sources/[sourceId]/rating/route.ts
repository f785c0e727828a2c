import { getRuntime } from '@/server/runtime';
import { parseJson, route } from '@/server/http/errors';
import { requireDebateAction } from '@/server/access/guard';
import { userKeyOf } from '@/server/access/authorship';
import { rateSource } from '@/server/services/sources';
import { rateSourceSchema } from '@/lib/schemas/evidence';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ id: string; sourceId: string }> };

/** Sets or changes the caller's credibility rating; answers with the source and its new mean. */
export const PUT = route(async (req: Request, ctx: Ctx) => {
  const { id, sourceId } = await ctx.params;
  const who = await requireDebateAction(req, id, 'source.rate');
  const { rating } = await parseJson(req, rateSourceSchema);
  return Response.json(await rateSource(getRuntime(), id, sourceId, userKeyOf(who), rating));
});

/** Withdraws the caller's rating. */
export const DELETE = route(async (req: Request, ctx: Ctx) => {
  const { id, sourceId } = await ctx.params;
  const who = await requireDebateAction(req, id, 'source.rate');
  return Response.json(await rateSource(getRuntime(), id, sourceId, userKeyOf(who), null));
});
