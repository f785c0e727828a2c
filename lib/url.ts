/**
 * URL normalisation for the sources library: two links to the same page should produce the same
 * string, so a source is stored once however it was pasted. Parsing is the WHATWG `URL` class
 * (a global in browsers and Node), which already lower-cases scheme and host, converts IDN hosts
 * to punycode, drops the scheme's default port (80 for http, 443 for https), resolves `.`/`..`
 * segments and percent-encodes characters that need it. On top of that:
 *
 * - Only http and https are accepted: a source must be something a reader can open.
 * - Credentials (`user:pass@`) are rejected, not stripped. Source URLs are shown to every
 *   participant of a debate; silently dropping a password would hide that one was pasted and
 *   the user would not learn to revoke it. The UI can say why from the reason.
 * - The fragment is dropped: it addresses a place inside a page, not a different page.
 * - Tracking parameters (any `utm_*`, plus TRACKING_PARAMS) are dropped, matched
 *   case-insensitively on the decoded key; the rest are sorted by key, stably, so repeated keys
 *   (`a=1&a=2`) keep their order, which can carry meaning. An empty query (`?`) disappears.
 * - Percent escapes use upper-case hex, and escapes of unreserved characters (A–Z a–z 0–9 - . _ ~)
 *   are decoded, as RFC 3986 §6.2.2 allows; `URL` leaves `%7e` as it found it.
 * - Trailing slashes are removed except for the root path: `/notes/agi/` → `/notes/agi`,
 *   `https://a.com/` stays. Sites serve both forms as one page far more often than not.
 * - Duplicate slashes inside the path are kept: they can be meaningful, e.g. archive links such
 *   as `/web/2020/https://example.com/`, which collapsing would corrupt.
 * - A trailing dot on the host (`example.com.`) is removed: it names the same DNS host.
 * - `www.` is not removed and the path's letter case is kept: both can name different resources.
 */

export const MAX_URL_LENGTH = 2048;

/** Exact query keys dropped besides every `utm_*` key. */
export const TRACKING_PARAMS: ReadonlySet<string> = new Set([
  'fbclid',
  'gclid',
  'dclid',
  'msclkid',
  'mc_cid',
  'mc_eid',
  'igshid',
  'yclid',
  '_hsenc',
  '_hsmi',
  'ref_src',
  'spm',
]);

export type NormalizeUrlFailure = 'empty' | 'too-long' | 'missing-scheme' | 'invalid-url' | 'unsupported-scheme' | 'credentials';

export type NormalizeUrlResult = { ok: true; url: string } | { ok: false; reason: NormalizeUrlFailure };

const UNRESERVED = /^[A-Za-z0-9\-._~]$/;

function normalizePercent(s: string): string {
  return s.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => {
    const ch = String.fromCharCode(parseInt(hex, 16));
    return UNRESERVED.test(ch) ? ch : `%${hex.toUpperCase()}`;
  });
}

function decodedKey(param: string): string {
  const eq = param.indexOf('=');
  const raw = eq === -1 ? param : param.slice(0, eq);
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    return raw;
  }
}

function isTracking(param: string): boolean {
  const key = decodedKey(param).toLowerCase();
  return key.startsWith('utm_') || TRACKING_PARAMS.has(key);
}

function paramKey(param: string): string {
  const eq = param.indexOf('=');
  return eq === -1 ? param : param.slice(0, eq);
}

export function normalizeUrl(input: string): NormalizeUrlResult {
  const s = input.trim();
  if (s === '') return { ok: false, reason: 'empty' };
  // Checked before parsing so that a huge paste costs nothing.
  if (s.length > MAX_URL_LENGTH) return { ok: false, reason: 'too-long' };

  let u: URL;
  try {
    u = new URL(s);
  } catch {
    return { ok: false, reason: /^[A-Za-z][A-Za-z0-9+.-]*:/.test(s) ? 'invalid-url' : 'missing-scheme' };
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    // `example.com:8080/x` parses as scheme "example.com": really a host without a scheme.
    return { ok: false, reason: u.protocol.includes('.') ? 'missing-scheme' : 'unsupported-scheme' };
  }
  if (u.username !== '' || u.password !== '') return { ok: false, reason: 'credentials' };

  let host = u.hostname;
  if (host.endsWith('.') && !host.startsWith('[')) host = host.replace(/\.+$/, '');
  if (host === '') return { ok: false, reason: 'invalid-url' };
  const port = u.port === '' ? '' : `:${u.port}`;

  const path = normalizePercent(u.pathname).replace(/\/+$/, '') || '/';

  const params = u.search
    .slice(1)
    .split('&')
    .filter((p) => p !== '' && !isTracking(p))
    .map(normalizePercent);
  // Array.prototype.sort is stable (ES2019), so equal keys keep their original order.
  params.sort((a, b) => {
    const ka = paramKey(a);
    const kb = paramKey(b);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
  const query = params.length > 0 ? `?${params.join('&')}` : '';

  const url = `${u.protocol}//${host}${port}${path}${query}`;
  if (url.length > MAX_URL_LENGTH) return { ok: false, reason: 'too-long' };
  return { ok: true, url };
}
