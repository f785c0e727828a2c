/**
 * CSRF defence for every state-changing request, Crux's routes and better-auth's alike: the
 * browser's Origin must be this site. Session cookies are SameSite=Lax, which already keeps them
 * off cross-site POSTs; this check also covers same-site attackers (another app on a sibling
 * subdomain) and old browsers.
 */
import type { ApiRequest } from '../http/request';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export const isMutating = (method: string): boolean => !SAFE_METHODS.has(method.toUpperCase());

/**
 * This site's origin: CRUX_PUBLIC_URL when set (required behind a proxy that rewrites Host),
 * else the origin the browser addressed: its Host header, which a cross-site page cannot forge
 * for its victim's browser. (Next builds `req.url` from the host it was started with, not from
 * the request, so that alone would refuse a browser that reached us by another name.)
 */
export function expectedOrigin(req: Pick<ApiRequest, 'url' | 'headers'>, publicUrl: string | undefined): string {
  if (publicUrl) return new URL(publicUrl).origin;
  const url = new URL(req.url);
  const host = req.headers.get('host');
  return host ? `${url.protocol}//${host}` : url.origin;
}

/** Safe methods pass; others need a matching Origin, or, without one, Sec-Fetch-Site: same-origin. */
export function isSameOrigin(req: ApiRequest, publicUrl: string | undefined): boolean {
  if (!isMutating(req.method)) return true;
  const origin = req.headers.get('origin');
  if (origin && origin !== 'null') return origin === expectedOrigin(req, publicUrl);
  return req.headers.get('sec-fetch-site') === 'same-origin';
}
