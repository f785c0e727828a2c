import { getRuntime } from '@/server/runtime';
import { parseJson, route } from '@/server/http/errors';
import { requireDebateAction } from '@/server/access/guard';
import { getPhase, setPhase } from '@/server/services/phases';
import { setPhaseSchema } from '@/lib/schemas/phase';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ id: string }> };

/** The debate's phase and the standing recorded at its latest closing. */
export const GET = route(async (req: Request, ctx: Ctx) => {
  const { id } = await ctx.params;
  await requireDebateAction(req, id, 'debate.read');
  return Response.json(await getPhase(getRuntime(), id), { headers: { 'cache-control': 'no-store' } });
});

/** Moderators: { phase: open | voting | closed, semantics? }. Closing records the standing. */
export const PUT = route(async (req: Request, ctx: Ctx) => {
  const { id } = await ctx.params;
  const who = await requireDebateAction(req, id, 'debate.phase');
  const input = await parseJson(req, setPhaseSchema);
  const actor = { id: who.user?.id ?? null, name: who.actorName, principal: who.principal, role: who.role };
  return Response.json(await setPhase(getRuntime(), id, actor, input));
});
