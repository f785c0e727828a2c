import { getRuntime } from '@/server/runtime';
import { parseQuery, route } from '@/server/http/errors';
import { requireDebateAction } from '@/server/access/guard';
import { explainStrength, viewerOf } from '@/server/services/strength';
import { explainQuerySchema } from '@/lib/schemas/votes';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ id: string }> };

/** ?claimId=, with the same semantics and perspective parameters as /strength. */
export const GET = route(async (req: Request, ctx: Ctx) => {
  const { id } = await ctx.params;
  const who = await requireDebateAction(req, id, 'debate.read');
  const q = parseQuery(req.url, explainQuerySchema);
  return Response.json(await explainStrength(getRuntime(), id, q, viewerOf(who)));
});
