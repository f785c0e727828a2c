import { getRuntime } from '@/server/runtime';
import { parseJson, route } from '@/server/http/errors';
import { requireDebateAction } from '@/server/access/guard';
import { setVisibility } from '@/server/services/debates';
import { setVisibilitySchema } from '@/lib/schemas/access';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ id: string }> };

/** Owners: who can see the debate (private | team | link | public) and what the public may do. */
export const PUT = route(async (req: Request, ctx: Ctx) => {
  const { id } = await ctx.params;
  const who = await requireDebateAction(req, id, 'debate.visibility');
  const input = await parseJson(req, setVisibilitySchema);
  return Response.json(await setVisibility(getRuntime(), id, { id: who.user?.id ?? null, name: who.actorName }, input));
});
