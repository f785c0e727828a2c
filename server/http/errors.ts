import { z } from 'zod';
import { isSameOrigin } from '../access/origin';
import { getRuntime } from '../runtime';
import { findUnstorable } from './strings';
import { toFetchResponse, type ApiRequest, type ApiResult } from './request';

export type ApiErrorCode =
  | 'bad_request'
  | 'unprocessable'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'rate_limited'
  | 'payload_too_large'
  | 'internal';

const STATUS: Record<ApiErrorCode, number> = {
  bad_request: 400,
  unprocessable: 422,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  rate_limited: 429,
  internal: 500,
};

export interface FieldIssue {
  field: string;
  message: string;
}

/** The one error type route handlers throw; `toResponse` turns it (and anything else) into JSON. */
export class ApiError extends Error {
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly fields: FieldIssue[] = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
  get status(): number {
    return STATUS[this.code];
  }
}

export interface ErrorBody {
  error: { code: ApiErrorCode; message: string; fields?: FieldIssue[] };
}

export function fieldIssues(err: z.ZodError): FieldIssue[] {
  return err.issues.map((i) => ({ field: i.path.length > 0 ? i.path.join('.') : '(body)', message: i.message }));
}

/** The central error handler: an ApiError or a zod error as its status and JSON body; anything else 500, without internals. */
export function errorResult(e: unknown): ApiResult {
  if (e instanceof z.ZodError) e = new ApiError('bad_request', 'invalid request', fieldIssues(e));
  if (e instanceof ApiError) {
    const fields = e.fields.length > 0 ? e.fields : undefined;
    const msg = fields ? `${e.message}: ${fields.map((f) => `${f.field} — ${f.message}`).join('; ')}` : e.message;
    const body: ErrorBody = { error: { code: e.code, message: msg, ...(fields ? { fields } : {}) } };
    return { status: e.status, body, headers: e.headers };
  }
  // Unknown errors are logged in full here and reported without internals.
  console.error('[api] unhandled error:', e);
  const body: ErrorBody = { error: { code: 'internal', message: 'internal error' } };
  return { status: 500, body };
}

export const toResponse = (e: unknown): Response => toFetchResponse(errorResult(e));

/** Largest JSON body any route accepts. */
export const MAX_JSON_BYTES = 256 * 1024;

/** Reads and parses a JSON body with a size limit, then validates it with the route's schema. */
export async function parseJson<S extends z.ZodType>(req: ApiRequest, schema: S): Promise<z.output<S>> {
  const len = Number(req.headers.get('content-length') ?? '0');
  if (len > MAX_JSON_BYTES) throw new ApiError('payload_too_large', `body must be at most ${MAX_JSON_BYTES} bytes`);
  const text = await req.text();
  if (Buffer.byteLength(text) > MAX_JSON_BYTES) throw new ApiError('payload_too_large', `body must be at most ${MAX_JSON_BYTES} bytes`);
  let raw: unknown;
  try {
    raw = text.length === 0 ? {} : JSON.parse(text);
  } catch {
    throw new ApiError('bad_request', 'body is not valid JSON', [{ field: '(body)', message: 'not valid JSON' }]);
  }
  assertStorable(raw);
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new ApiError('bad_request', 'invalid request', fieldIssues(parsed.error));
  return parsed.data;
}

export function parseQuery<S extends z.ZodType>(url: string, schema: S): z.output<S> {
  const params = Object.fromEntries(new URL(url).searchParams);
  assertStorable(params, 'invalid query');
  const parsed = schema.safeParse(params);
  if (!parsed.success) throw new ApiError('bad_request', 'invalid query', fieldIssues(parsed.error));
  return parsed.data;
}

/**
 * The checks every API request passes before its handler runs, whichever way it came in (a Next
 * route handler through `route`, or the HTTP server's fast path): no state-changing request from
 * another site (server/access/origin.ts), and no unstorable string in the query or the path.
 */
export function checkRequest(req: ApiRequest, params: Record<string, unknown> | undefined): void {
  assertSameOrigin(req);
  assertStorable(Object.fromEntries(new URL(req.url).searchParams), 'invalid query');
  if (params) assertStorable(params, 'invalid path');
}

/** Wraps a route handler so that checkRequest runs first and every failure goes through errorResult. */
export function route<A extends unknown[]>(fn: (...args: A) => Promise<Response>): (...args: A) => Promise<Response> {
  return async (...args: A) => {
    try {
      const req = args[0];
      const ctx = args[1] as { params?: Promise<unknown> } | undefined;
      const params = ctx?.params instanceof Promise ? ((await ctx.params) as Record<string, unknown>) : undefined;
      if (req instanceof Request) checkRequest(req, params);
      else if (params) assertStorable(params, 'invalid path');
      return await fn(...args);
    } catch (e) {
      return toResponse(e);
    }
  };
}

/**
 * Throws 400 naming the field when a request value holds a string the database cannot store (a
 * NUL or a lone surrogate: server/http/strings.ts), before any handler passes it on.
 */
export function assertStorable(value: unknown, message = 'invalid request'): void {
  const bad = findUnstorable(value);
  if (bad) throw new ApiError('bad_request', message, [bad]);
}

/** Throws 403 for a state-changing request whose Origin is not this site. */
export function assertSameOrigin(req: ApiRequest): void {
  if (!isSameOrigin(req, getRuntime().config.publicUrl))
    throw new ApiError('forbidden', 'cross-origin request refused: the Origin header must be this site');
}
