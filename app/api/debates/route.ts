import { getRuntime } from '@/server/runtime';
import { parseJson, parseQuery, route } from '@/server/http/errors';
import { requirePrincipal, requireUser } from '@/server/access/guard';
import { createDebateAs, listDebates } from '@/server/services/debates';
import { listDebatesQuerySchema } from '@/lib/schemas/debate';
import { createOwnedDebateSchema } from '@/lib/schemas/access';

export const dynamic = 'force-dynamic';

/** The debates the caller may see: public ones, plus their own, their teams' and those they joined. */
export const GET = route(async (req: Request) => {
  const { principal } = await requirePrincipal(req);
  const q = parseQuery(req.url, listDebatesQuerySchema);
  return Response.json(await listDebates(getRuntime().db.prisma, principal, q));
});

/** Starts a debate owned by the caller, or by one of their teams (`teamId`). Accounts only. */
export const POST = route(async (req: Request) => {
  const { user } = await requireUser(req);
  const input = await parseJson(req, createOwnedDebateSchema);
  return Response.json(await createDebateAs(getRuntime(), user.id, { id: user.id, name: user.name }, input), { status: 201 });
});
