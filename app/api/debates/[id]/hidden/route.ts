import { getRuntime } from '@/server/runtime';
import { parseJson, route } from '@/server/http/errors';
import { requireDebateAction } from '@/server/access/guard';
import { listHidden, setHidden } from '@/server/services/moderation';
import { setHiddenSchema } from '@/lib/schemas/access';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ id: string }> };

/** The claims moderators hid: the canvas leaves them out (live-bus topic 'hidden' says when to refetch). */
export const GET = route(async (req: Request, ctx: Ctx) => {
  const { id } = await ctx.params;
  await requireDebateAction(req, id, 'debate.read');
  return Response.json({ items: await listHidden(getRuntime().db.prisma, id) });
});

/** Moderators: hide a claim, or restore it ({ claimId, hidden }). */
export const POST = route(async (req: Request, ctx: Ctx) => {
  const { id } = await ctx.params;
  const who = await requireDebateAction(req, id, 'claim.hide');
  const { claimId, hidden } = await parseJson(req, setHiddenSchema);
  return Response.json(await setHidden(getRuntime(), id, { id: who.user?.id ?? null, name: who.actorName }, claimId, hidden));
});
