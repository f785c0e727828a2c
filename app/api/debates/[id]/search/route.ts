import { getRuntime } from '@/server/runtime';
import { parseQuery, route } from '@/server/http/errors';
import { requireDebateAction, seesHidden } from '@/server/access/guard';
import { searchDebate } from '@/server/services/search';
import { searchQuerySchema } from '@/lib/schemas/evidence';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ id: string }> };

/** Full-text search of the debate's claims and sources (?q=, each word a prefix). */
export const GET = route(async (req: Request, ctx: Ctx) => {
  const { id } = await ctx.params;
  const who = await requireDebateAction(req, id, 'debate.read');
  const { q, limit } = parseQuery(req.url, searchQuerySchema);
  return Response.json(await searchDebate(getRuntime().db, id, q, limit, { includeHidden: seesHidden(who) }));
});
