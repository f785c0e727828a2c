/** A request's headers as Crux's checks read them: a Fetch `Headers` is one. */
export type ApiHeaders = Pick<Headers, 'get'> & Iterable<[string, string]>;

/**
 * What Crux's request checks and body parsers read from a request. A Fetch `Request` (what a
 * Next route handler receives) is one; so is `NodeApiRequest`, which the HTTP server's fast path
 * (server/http/fast.ts) builds straight from node:http without the cost of a Fetch Request.
 */
export interface ApiRequest {
  readonly method: string;
  /** Absolute: scheme, host, path and query. */
  readonly url: string;
  readonly headers: ApiHeaders;
  /** The body as text (read once). */
  text(): Promise<string>;
}

/** The handlers' answer before it is written: JSON `body`, or none (204). */
export interface ApiResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export const json = (body: unknown, status = 200): ApiResult => ({ status, body });
export const noContent = (): ApiResult => ({ status: 204 });

/** As a Fetch Response, for route handlers. */
export function toFetchResponse(r: ApiResult): Response {
  return r.body === undefined ? new Response(null, { status: r.status, headers: r.headers }) : Response.json(r.body, r);
}
