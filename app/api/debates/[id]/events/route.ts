import { getRuntime } from '@/server/runtime';
import { ApiError, route } from '@/server/http/errors';
import { requireDebateAction } from '@/server/access/guard';
import { ACCESS_TOPIC } from '@/server/access/changes';
import { liveEventStream } from '@/server/live/sse';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ id: string }> };

/**
 * Server-sent events: `data: {"topic": …}` whenever sources, evidence, votes or access of the
 * debate change. Read access is checked again on every access change and heartbeat, not only
 * when the stream opens: a reader who loses it gets `access-revoked` and the stream ends.
 */
export const GET = route(async (req: Request, ctx: Ctx) => {
  const { id } = await ctx.params;
  await requireDebateAction(req, id, 'debate.read');
  const recheck = () =>
    requireDebateAction(req, id, 'debate.read').then(
      () => true,
      (e: unknown) => {
        // Only a refusal ends the stream; a database hiccup waits for the next heartbeat.
        if (e instanceof ApiError) return false;
        throw e;
      },
    );
  return liveEventStream(getRuntime().live, id, req.signal, { recheck, accessTopic: ACCESS_TOPIC });
});
