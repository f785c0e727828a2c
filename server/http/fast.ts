import type { IncomingMessage, ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { ApiError, MAX_JSON_BYTES, checkRequest, errorResult } from './errors';
import type { ApiHeaders, ApiRequest, ApiResult } from './request';
import { deleteVote, getVotes, putVote } from './votesApi';

/*
 * The HTTP server's fast path: a few hot API routes answered before Next sees the request, with
 * the same handlers and the same checks as their Next route files (app/api/…/route.ts), but
 * without Next's dispatch and without converting each request and response to Fetch objects,
 * which cost more than the vote itself (bench/RESULTS.md, "Vote throughput"). Anything that
 * does not match exactly (another method, a trailing slash, a path that does not decode) goes
 * on to Next, which answers it as before.
 */

type FastHandler = (req: ApiRequest, params: Record<string, string>) => Promise<ApiResult>;

interface FastRoute {
  pattern: RegExp;
  /** Names of the pattern's groups, in order: the route's dynamic segments. */
  params: string[];
  methods: Partial<Record<string, FastHandler>>;
}

const ROUTES: FastRoute[] = [
  {
    pattern: /^\/api\/debates\/([^/]+)\/votes$/,
    params: ['id'],
    methods: {
      GET: (req, p) => getVotes(req, p.id!),
      PUT: (req, p) => putVote(req, p.id!),
      DELETE: (req, p) => deleteVote(req, p.id!),
    },
  },
];

/**
 * Answers the request if it is one of the fast routes (true), else leaves it alone (false).
 * `security` is the security headers of a data response (dataSecurityHeaders), which every
 * answer carries: a fast answer is JSON, never a page, so its CSP needs no per-request nonce.
 */
export function serveFastApi(req: IncomingMessage, res: ServerResponse, security: readonly string[]): boolean {
  const url = req.url;
  if (!url?.startsWith('/api/')) return false;
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  for (const r of ROUTES) {
    const m = r.pattern.exec(path);
    if (!m) continue;
    const handler = r.methods[req.method ?? ''];
    if (!handler) return false;
    const params: Record<string, string> = {};
    try {
      r.params.forEach((name, i) => (params[name] = decodeURIComponent(m[i + 1]!)));
    } catch {
      return false;
    }
    answer(req, res, handler, params, security).catch((e: unknown) => {
      console.error('[http] unhandled error:', e);
      if (!res.headersSent) res.writeHead(500, [...security]);
      res.end();
    });
    return true;
  }
  return false;
}

async function answer(
  req: IncomingMessage,
  res: ServerResponse,
  handler: FastHandler,
  params: Record<string, string>,
  security: readonly string[],
): Promise<void> {
  const api = new NodeApiRequest(req);
  let result: ApiResult;
  try {
    checkRequest(api, params);
    result = await handler(api, params);
  } catch (e) {
    result = errorResult(e);
  }
  if (res.destroyed) return;
  // A handler's own headers (Retry-After) are added, not merged: none may repeat a name below.
  const headers = [...security];
  for (const [k, v] of Object.entries(result.headers ?? {})) headers.push(k, v);
  if (result.body === undefined) {
    res.writeHead(result.status, headers).end();
    return;
  }
  const body = JSON.stringify(result.body);
  headers.push('content-type', 'application/json', 'vary', 'Accept-Encoding');
  // Next gzips its responses; so does this path, past the size where it pays (a vote's answer
  // is ~200 bytes, a large debate's tallies are hundreds of KB).
  if (body.length >= GZIP_FROM_BYTES && acceptsGzip(req.headers['accept-encoding'])) {
    const zipped = await gzipAsync(body);
    if (res.destroyed) return;
    headers.push('content-encoding', 'gzip', 'content-length', String(zipped.length));
    res.writeHead(result.status, headers).end(zipped);
    return;
  }
  headers.push('content-length', String(Buffer.byteLength(body)));
  res.writeHead(result.status, headers).end(body);
}

/**
 * Does this Accept-Encoding take gzip? A quality of 0 refuses an encoding, and "*" stands for
 * every encoding the header does not name (RFC 9110 §12.5.3).
 */
function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false;
  let gzip: number | undefined;
  let any: number | undefined;
  for (const part of header.toLowerCase().split(',')) {
    const [name, ...params] = part.split(';').map((x) => x.trim());
    let q = 1;
    for (const p of params) {
      const m = /^q\s*=\s*([0-9.]+)$/.exec(p);
      if (m) q = Number(m[1]);
    }
    if (name === 'gzip' || name === 'x-gzip') gzip = Math.max(gzip ?? 0, q);
    else if (name === '*') any = q;
  }
  return (gzip ?? any ?? 0) > 0;
}

/** JSON bodies at least this long are gzipped for clients that accept it. */
export const GZIP_FROM_BYTES = 1024;
const gzipAsync = promisify(gzip);

/** node:http headers read as Fetch would: names case-insensitive, repeated values joined by ", ". */
class NodeHeaders implements ApiHeaders {
  constructor(private readonly raw: IncomingMessage['headers']) {}
  get(name: string): string | null {
    const v = this.raw[name.toLowerCase()];
    if (v === undefined) return null;
    return Array.isArray(v) ? v.join(', ') : v;
  }
  *[Symbol.iterator](): Iterator<[string, string]> {
    for (const [k, v] of Object.entries(this.raw)) if (v !== undefined) yield [k, Array.isArray(v) ? v.join(', ') : v];
  }
}

/**
 * A node:http request seen as an ApiRequest. The URL's origin is the one the browser addressed
 * (its Host header), as Next builds it for route handlers that check Origin against it.
 */
export class NodeApiRequest implements ApiRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: NodeHeaders;
  private read = false;
  constructor(private readonly req: IncomingMessage) {
    this.method = req.method ?? 'GET';
    this.url = `http://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`;
    this.headers = new NodeHeaders(req.headers);
  }

  /** The body, refused with 413 past MAX_JSON_BYTES without buffering the rest. */
  text(): Promise<string> {
    if (this.read) return Promise.reject(new TypeError('body already read'));
    this.read = true;
    const req = this.req;
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const tooLarge = () => new ApiError('payload_too_large', `body must be at most ${MAX_JSON_BYTES} bytes`);
      const onData = (c: Buffer) => {
        size += c.length;
        if (size > MAX_JSON_BYTES) {
          cleanup();
          // Answer now; the rest of the body is read and dropped, so the connection stays usable.
          req.resume();
          reject(tooLarge());
          return;
        }
        chunks.push(c);
      };
      const onEnd = () => {
        cleanup();
        resolve(Buffer.concat(chunks, size).toString('utf8'));
      };
      const onError = (e: Error) => {
        cleanup();
        reject(e);
      };
      const cleanup = () => {
        req.off('data', onData);
        req.off('end', onEnd);
        req.off('error', onError);
      };
      req.on('data', onData);
      req.on('end', onEnd);
      req.on('error', onError);
    });
  }
}
