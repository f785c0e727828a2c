import { getRuntime } from '@/server/runtime';
import { route } from '@/server/http/errors';
import { requireDebateAction, seesHidden } from '@/server/access/guard';
import { evidenceSummary } from '@/server/services/evidence';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ id: string }> };

/** Stance counts per claim and claims per source, for the canvas. */
export const GET = route(async (req: Request, ctx: Ctx) => {
  const { id } = await ctx.params;
  const who = await requireDebateAction(req, id, 'debate.read');
  return Response.json(await evidenceSummary(getRuntime(), id, { includeHidden: seesHidden(who) }));
});
