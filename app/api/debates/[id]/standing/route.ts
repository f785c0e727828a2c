import { getRuntime } from '@/server/runtime';
import { parseQuery, route } from '@/server/http/errors';
import { requireDebateAction } from '@/server/access/guard';
import { listStandings } from '@/server/services/phases';
import { standingQuerySchema } from '@/lib/schemas/phase';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ id: string }> };

/** ?limit=: the standings recorded at each closing, newest first. */
export const GET = route(async (req: Request, ctx: Ctx) => {
  const { id } = await ctx.params;
  await requireDebateAction(req, id, 'debate.read');
  const { limit } = parseQuery(req.url, standingQuerySchema);
  return Response.json({ items: await listStandings(getRuntime(), id, limit) });
});
