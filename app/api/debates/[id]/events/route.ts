import { getRuntime } from '@/server/runtime';
import { route } from '@/server/http/errors';
import { requireDebateAction } from '@/server/access/guard';
import { liveEventStream } from '@/server/live/sse';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ id: string }> };

/** Server-sent events: `data: {"topic": …}` whenever sources or evidence of the debate change. */
export const GET = route(async (req: Request, ctx: Ctx) => {
  const { id } = await ctx.params;
  await requireDebateAction(req, id, 'debate.read');
  return liveEventStream(getRuntime().live, id, req.signal);
});
