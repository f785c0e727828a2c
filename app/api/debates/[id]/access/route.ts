import { getRuntime } from '@/server/runtime';
import { route } from '@/server/http/errors';
import { requireDebateAction } from '@/server/access/guard';
import { accessInfo } from '@/server/services/access';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ id: string }> };

/** The caller's role on the debate, the actions it allows (lib/permissions `can`) and their presence name and colour. */
export const GET = route(async (req: Request, ctx: Ctx) => {
  const { id } = await ctx.params;
  const who = await requireDebateAction(req, id, 'debate.read');
  return Response.json(await accessInfo(getRuntime().db.prisma, who), { headers: { 'cache-control': 'no-store' } });
});
