import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface SecurityOptions {
  /** Behind HTTPS (CRUX_PUBLIC_URL is https://…): also send Strict-Transport-Security. */
  https: boolean;
  /** Development: React's dev tooling evaluates source maps with eval(). */
  dev?: boolean;
}

/**
 * The Content-Security-Policy of one response. Next inlines its bootstrap and RSC payload
 * scripts; it stamps each with the nonce it finds in the request's own CSP header, so the nonce
 * (fresh per request) replaces 'unsafe-inline' for scripts. 'strict-dynamic' lets the nonced
 * bootstrap load the chunks it needs. Styles stay 'unsafe-inline': React Flow positions every
 * node and edge with inline styles, and a style cannot run script.
 */
export function contentSecurityPolicy(nonce: string, opts: SecurityOptions): string {
  return [
    `default-src 'self'`,
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${opts.dev ? ` 'unsafe-eval'` : ''}`,
    `style-src 'self' 'unsafe-inline'`,
    `img-src 'self' data: blob:`,
    `font-src 'self' data:`,
    `connect-src 'self' ws: wss:`,
    `object-src 'none'`,
    `base-uri 'self'`,
    `frame-ancestors 'none'`,
    `form-action 'self'`,
  ].join('; ');
}

/** Headers every response carries, whatever produced it (Next, the API, a 404, a refused upgrade). */
export function staticSecurityHeaders(opts: SecurityOptions): Record<string, string> {
  return {
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'strict-origin-when-cross-origin',
    'X-Frame-Options': 'DENY',
    'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()',
    'Cross-Origin-Opener-Policy': 'same-origin',
    ...(opts.https ? { 'Strict-Transport-Security': 'max-age=31536000; includeSubDomains' } : {}),
  };
}

/**
 * Stamps the security headers on a response before anything else writes it, and puts the same
 * CSP on the request, where Next reads the nonce for its inline scripts. A CSP header a client
 * sent is overwritten, so no one can choose the nonce.
 */
export function applySecurityHeaders(req: IncomingMessage, res: ServerResponse, opts: SecurityOptions): void {
  const csp = contentSecurityPolicy(randomBytes(16).toString('base64'), opts);
  req.headers['content-security-policy'] = csp;
  delete req.headers['content-security-policy-report-only'];
  res.setHeader('Content-Security-Policy', csp);
  for (const [k, v] of Object.entries(staticSecurityHeaders(opts))) res.setHeader(k, v);
}

/**
 * The CSP of a response that is data and never a page (the API's JSON): it runs no script, so
 * it needs no nonce, and nothing may load from it or frame it.
 */
export const DATA_CSP = "default-src 'none'; frame-ancestors 'none'";

/**
 * The security headers of a data response as a flat [name, value, …] list, for
 * `res.writeHead(status, list)`: built once per server, no nonce drawn per request.
 */
export function dataSecurityHeaders(opts: SecurityOptions): string[] {
  return Object.entries({ 'Content-Security-Policy': DATA_CSP, ...staticSecurityHeaders(opts) }).flat();
}
