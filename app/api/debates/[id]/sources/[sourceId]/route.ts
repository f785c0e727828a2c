import { getRuntime } from '@/server/runtime';
import { parseJson, route } from '@/server/http/errors';
import { requireDebateAction } from '@/server/access/guard';
import { requireAuthorOrModerator, userKeyOf } from '@/server/access/authorship';
import { deleteSource, getSource, sourceAuthor, updateSource } from '@/server/services/sources';
import { updateSourceSchema } from '@/lib/schemas/evidence';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ id: string; sourceId: string }> };

export const GET = route(async (req: Request, ctx: Ctx) => {
  const { id, sourceId } = await ctx.params;
  const who = await requireDebateAction(req, id, 'debate.read');
  return Response.json(await getSource(getRuntime(), id, sourceId, userKeyOf(who)));
});

export const PATCH = route(async (req: Request, ctx: Ctx) => {
  const { id, sourceId } = await ctx.params;
  const rt = getRuntime();
  const who = await requireAuthorOrModerator(req, id, () => sourceAuthor(rt, id, sourceId));
  const patch = await parseJson(req, updateSourceSchema);
  return Response.json(await updateSource(rt, id, sourceId, patch, userKeyOf(who)));
});

export const DELETE = route(async (req: Request, ctx: Ctx) => {
  const { id, sourceId } = await ctx.params;
  const rt = getRuntime();
  await requireAuthorOrModerator(req, id, () => sourceAuthor(rt, id, sourceId));
  await deleteSource(rt, id, sourceId);
  return new Response(null, { status: 204 });
});
