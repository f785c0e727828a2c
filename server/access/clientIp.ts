import type { IncomingMessage } from 'node:http';
import type { ApiRequest } from '../http/request';

/**
 * Route handlers see a Fetch Request, which carries no socket address. The HTTP server stamps
 * the client's address into this header before Next sees the request, after deleting whatever
 * the client sent under that name; better-auth's limiter and Crux's own read it from here.
 */
export const CLIENT_IP_HEADER = 'x-crux-client-ip';

/**
 * The socket's peer address, or — behind a reverse proxy that we were told to trust
 * (CRUX_TRUST_PROXY=1) — the last X-Forwarded-For hop, the one that proxy appended. Earlier
 * hops are whatever the client claimed.
 */
export function clientAddress(req: IncomingMessage, trustProxy: boolean): string | null {
  if (trustProxy) {
    const xff = req.headers['x-forwarded-for'];
    const hops = (Array.isArray(xff) ? xff.join(',') : (xff ?? ''))
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const last = hops[hops.length - 1];
    if (last) return last;
  }
  return req.socket.remoteAddress ?? null;
}

export function stampClientIp(req: IncomingMessage, trustProxy: boolean): void {
  delete req.headers[CLIENT_IP_HEADER];
  const ip = clientAddress(req, trustProxy);
  if (ip) req.headers[CLIENT_IP_HEADER] = ip;
}

export const clientIpOf = (req: ApiRequest): string | null => req.headers.get(CLIENT_IP_HEADER);
