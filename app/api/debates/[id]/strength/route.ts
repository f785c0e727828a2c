import { getRuntime } from '@/server/runtime';
import { parseQuery, route } from '@/server/http/errors';
import { requireDebateAction } from '@/server/access/guard';
import { strengthReport, viewerOf } from '@/server/services/strength';
import { strengthQuerySchema } from '@/lib/schemas/votes';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ id: string }> };

/**
 * ?semantics=dfquad|quadratic-energy&perspective=everyone|user:<id>|team:<id>. Comparing two
 * perspectives is two calls; who may see which: lib/permissions canViewPerspective.
 */
export const GET = route(async (req: Request, ctx: Ctx) => {
  const { id } = await ctx.params;
  const who = await requireDebateAction(req, id, 'debate.read');
  const q = parseQuery(req.url, strengthQuerySchema);
  return Response.json(await strengthReport(getRuntime(), id, q, viewerOf(who)));
});
