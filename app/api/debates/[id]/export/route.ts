import { getRuntime } from '@/server/runtime';
import { parseQuery, route } from '@/server/http/errors';
import { requireDebateAction } from '@/server/access/guard';
import { exportDebate } from '@/server/services/formats';
import { viewerOf } from '@/server/services/strength';
import { exportQuerySchema } from '@/lib/schemas/formats';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ id: string }> };

/**
 * ?format=argdown|aif|kialo|markdown|backup, as a download. Anyone who may read the debate may export
 * it; a backup names every voter and rater, so it needs 'debate.backup' (moderators and owners).
 */
export const GET = route(async (req: Request, ctx: Ctx) => {
  const { id } = await ctx.params;
  const { format } = parseQuery(req.url, exportQuerySchema);
  const who = await requireDebateAction(req, id, format === 'backup' ? 'debate.backup' : 'debate.read');
  const file = await exportDebate(getRuntime(), id, format, { viewer: viewerOf(who) });
  const ascii = file.fileName.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return new Response(file.text, {
    headers: {
      'content-type': file.contentType,
      'content-disposition': `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(file.fileName)}`,
      'cache-control': 'no-store',
      'x-crux-export-warnings': String(file.warnings.length),
    },
  });
});
