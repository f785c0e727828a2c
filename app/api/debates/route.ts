import { getRuntime } from '@/server/runtime';
import { parseJson, parseQuery, route } from '@/server/http/errors';
import { createDebate, listDebates } from '@/server/services/debates';
import { createDebateSchema, listDebatesQuerySchema } from '@/lib/schemas/debate';

export const dynamic = 'force-dynamic';

export const GET = route(async (req: Request) => {
  const q = parseQuery(req.url, listDebatesQuerySchema);
  return Response.json(await listDebates(getRuntime().db.prisma, q));
});

export const POST = route(async (req: Request) => {
  const input = await parseJson(req, createDebateSchema);
  return Response.json(await createDebate(getRuntime().db.prisma, input), { status: 201 });
});
