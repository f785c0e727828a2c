import { getRuntime } from '@/server/runtime';
import { parseQuery, route } from '@/server/http/errors';
import { requireDebateAction } from '@/server/access/guard';
import { listAudit } from '@/server/services/audit';
import { auditQuerySchema } from '@/lib/schemas/access';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ id: string }> };

/** Moderators: who changed membership, roles, visibility, locks and hidden claims, newest first (?before= pages). */
export const GET = route(async (req: Request, ctx: Ctx) => {
  const { id } = await ctx.params;
  await requireDebateAction(req, id, 'audit.read');
  const q = parseQuery(req.url, auditQuerySchema);
  return Response.json(await listAudit(getRuntime().db.prisma, { debateId: id }, q));
});
