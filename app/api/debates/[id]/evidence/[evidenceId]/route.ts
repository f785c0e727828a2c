import { getRuntime } from '@/server/runtime';
import { parseJson, route } from '@/server/http/errors';
import { requireDebateAction } from '@/server/access/guard';
import { requireAuthorOrModerator } from '@/server/access/authorship';
import { deleteEvidence, evidenceAuthor, getEvidence, updateEvidence } from '@/server/services/evidence';
import { updateEvidenceSchema } from '@/lib/schemas/evidence';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ id: string; evidenceId: string }> };

export const GET = route(async (req: Request, ctx: Ctx) => {
  const { id, evidenceId } = await ctx.params;
  await requireDebateAction(req, id, 'debate.read');
  return Response.json(await getEvidence(getRuntime(), id, evidenceId));
});

export const PATCH = route(async (req: Request, ctx: Ctx) => {
  const { id, evidenceId } = await ctx.params;
  const rt = getRuntime();
  await requireAuthorOrModerator(req, id, () => evidenceAuthor(rt, id, evidenceId));
  const patch = await parseJson(req, updateEvidenceSchema);
  return Response.json(await updateEvidence(rt, id, evidenceId, patch));
});

export const DELETE = route(async (req: Request, ctx: Ctx) => {
  const { id, evidenceId } = await ctx.params;
  const rt = getRuntime();
  await requireAuthorOrModerator(req, id, () => evidenceAuthor(rt, id, evidenceId));
  await deleteEvidence(rt, id, evidenceId);
  return new Response(null, { status: 204 });
});
