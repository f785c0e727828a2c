import { MAX_IMPORT_BODY_BYTES, importRequestSchema, type ImportRequest } from '../../../lib/schemas/formats';
import { ApiError, assertStorable, fieldIssues } from '../../http/errors';

/*
 * Reading POST /api/import. The body is read chunk by chunk and given up on as soon as it
 * passes the largest limit any format has (a backup's 50 MB), so a huge or endless upload costs
 * at most that much memory; the per-format limit (5 MB for text formats) is checked once the
 * format is known.
 */

const tooLarge = (bytes?: number) =>
  new ApiError(
    'payload_too_large',
    `${bytes === undefined ? 'the upload is too large' : `the upload is ${(bytes / 1024 / 1024).toFixed(1)} MB`}: imports are limited to 5 MB, a Crux backup to 50 MB`,
    [{ field: 'file', message: 'too large' }],
  );

async function readCapped(req: Request, cap: number): Promise<Uint8Array> {
  const declared = Number(req.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(declared) && declared > cap) throw tooLarge(declared);
  if (!req.body) return new Uint8Array(0);
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > cap) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

const decode = (bytes: Uint8Array): string => new TextDecoder('utf-8').decode(bytes);

/** JSON `{format, text, title?, teamId?}`, or multipart with the same fields and the text as `file`. */
export async function readImportRequest(req: Request, cap = MAX_IMPORT_BODY_BYTES): Promise<ImportRequest> {
  const type = (req.headers.get('content-type') ?? '').toLowerCase();
  const body = await readCapped(req, cap);
  let raw: Record<string, unknown>;
  if (type.startsWith('multipart/form-data')) {
    let form: FormData;
    try {
      form = await new Response(body as Uint8Array<ArrayBuffer>, {
        headers: { 'content-type': req.headers.get('content-type')! },
      }).formData();
    } catch {
      throw new ApiError('bad_request', 'the upload is not valid multipart form data', [{ field: '(body)', message: 'not multipart' }]);
    }
    raw = {};
    for (const key of ['format', 'title', 'teamId', 'text', 'fileName'] as const) {
      const v = form.get(key);
      if (typeof v === 'string' && v !== '') raw[key] = v;
    }
    const file = form.get('file');
    if (file !== null && typeof file !== 'string') {
      raw.text = decode(new Uint8Array(await file.arrayBuffer()));
      if (raw.fileName === undefined && file.name) raw.fileName = file.name.slice(0, 300);
    }
    if (raw.text === undefined)
      throw new ApiError('bad_request', 'invalid request', [{ field: 'file', message: 'choose a file or paste the text' }]);
  } else {
    try {
      const parsed: unknown = body.byteLength === 0 ? {} : JSON.parse(decode(body));
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
      raw = parsed as Record<string, unknown>;
    } catch {
      throw new ApiError('bad_request', 'body is not a JSON object', [{ field: '(body)', message: 'not valid JSON' }]);
    }
  }
  assertStorable(raw);
  const r = importRequestSchema.safeParse(raw);
  if (!r.success) throw new ApiError('bad_request', 'invalid request', fieldIssues(r.error));
  return r.data;
}
