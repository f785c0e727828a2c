import { getRuntime } from '@/server/runtime';
import { parseQuery, route } from '@/server/http/errors';
import { requireUser } from '@/server/access/guard';
import { importDebate } from '@/server/services/formats';
import { readImportRequest } from '@/server/services/formats/request';
import { importQuerySchema } from '@/lib/schemas/formats';

export const dynamic = 'force-dynamic';

/**
 * Creates a debate from an Argdown, AIF, Kialo or Crux backup file (JSON or multipart), owned
 * by the caller or by a team they start debates in. Accounts only, as for POST /api/debates.
 * `?dryRun=1` parses and reports what would be created, writing nothing.
 */
export const POST = route(async (req: Request) => {
  const { user } = await requireUser(req);
  const { dryRun } = parseQuery(req.url, importQuerySchema);
  const input = await readImportRequest(req);
  const dry = dryRun === '1' || dryRun === 'true';
  const res = await importDebate(getRuntime(), { userId: user.id, name: user.name }, input, { dryRun: dry });
  return Response.json(res, { status: dry ? 200 : 201 });
});
