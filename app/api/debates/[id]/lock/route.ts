import { getRuntime } from '@/server/runtime';
import { parseJson, route } from '@/server/http/errors';
import { requireDebateAction } from '@/server/access/guard';
import { setLocked } from '@/server/services/debates';
import { setLockSchema } from '@/lib/schemas/access';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ id: string }> };

/** Moderators: a locked debate is read-only for everyone but moderators, on the socket too. */
export const PUT = route(async (req: Request, ctx: Ctx) => {
  const { id } = await ctx.params;
  const who = await requireDebateAction(req, id, 'debate.lock');
  const { locked } = await parseJson(req, setLockSchema);
  return Response.json(await setLocked(getRuntime(), id, { id: who.user?.id ?? null, name: who.actorName }, locked));
});
