import { getRuntime } from '@/server/runtime';
import { parseJson, parseQuery, route } from '@/server/http/errors';
import { requireDebateAction } from '@/server/access/guard';
import { actorOf, userKeyOf } from '@/server/access/authorship';
import { createSource, listSources } from '@/server/services/sources';
import { createSourceSchema, listSourcesQuerySchema } from '@/lib/schemas/evidence';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ id: string }> };

export const GET = route(async (req: Request, ctx: Ctx) => {
  const { id } = await ctx.params;
  const who = await requireDebateAction(req, id, 'debate.read');
  const q = parseQuery(req.url, listSourcesQuerySchema);
  return Response.json(await listSources(getRuntime(), id, q, userKeyOf(who)));
});

/** 201 with the new source, or 200 with the source its URL already names (`created: false`). */
export const POST = route(async (req: Request, ctx: Ctx) => {
  const { id } = await ctx.params;
  const who = await requireDebateAction(req, id, 'evidence.add');
  const input = await parseJson(req, createSourceSchema);
  const res = await createSource(getRuntime(), id, input, actorOf(who));
  return Response.json(res, { status: res.created ? 201 : 200 });
});
