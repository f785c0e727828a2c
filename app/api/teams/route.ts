import { getRuntime } from '@/server/runtime';
import { parseJson, route } from '@/server/http/errors';
import { requireUser } from '@/server/access/guard';
import { createTeam, listTeams } from '@/server/services/members';
import { createTeamSchema } from '@/lib/schemas/access';

export const dynamic = 'force-dynamic';

/** The caller's teams. */
export const GET = route(async (req: Request) => {
  const { user } = await requireUser(req, { allowGuest: true });
  return Response.json({ items: await listTeams(getRuntime().db.prisma, user.id) });
});

/** Creates a team owned by the caller (accounts only, not guests). */
export const POST = route(async (req: Request) => {
  const { user } = await requireUser(req);
  const input = await parseJson(req, createTeamSchema);
  return Response.json(await createTeam(getRuntime().db.prisma, { id: user.id, name: user.name }, input), { status: 201 });
});
