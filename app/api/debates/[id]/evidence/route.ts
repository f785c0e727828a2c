import { getRuntime } from '@/server/runtime';
import { parseJson, parseQuery, route } from '@/server/http/errors';
import { requireDebateAction, seesHidden } from '@/server/access/guard';
import { actorOf } from '@/server/access/authorship';
import { addEvidence, listEvidence } from '@/server/services/evidence';
import { createEvidenceSchema, listEvidenceQuerySchema } from '@/lib/schemas/evidence';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ id: string }> };

/** ?claimId= for one claim's evidence, ?sourceId= for one source's; evidence of deleted claims is left out, and for readers that of hidden ones. */
export const GET = route(async (req: Request, ctx: Ctx) => {
  const { id } = await ctx.params;
  const who = await requireDebateAction(req, id, 'debate.read');
  const q = parseQuery(req.url, listEvidenceQuerySchema);
  return Response.json(await listEvidence(getRuntime(), id, q, { includeHidden: seesHidden(who) }));
});

export const POST = route(async (req: Request, ctx: Ctx) => {
  const { id } = await ctx.params;
  const who = await requireDebateAction(req, id, 'evidence.add');
  const input = await parseJson(req, createEvidenceSchema);
  return Response.json(await addEvidence(getRuntime(), id, input, actorOf(who)), { status: 201 });
});
