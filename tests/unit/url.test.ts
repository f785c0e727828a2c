import { describe, expect, it } from 'vitest';
import { MAX_URL_LENGTH, normalizeUrl, type NormalizeUrlFailure } from '@/lib/url';

const valid: Array<[name: string, input: string, expected: string]> = [
  // The launch debate's sources.
  [
    'Dettmers post',
    'https://timdettmers.com/2025/12/10/why-agi-will-not-happen/',
    'https://timdettmers.com/2025/12/10/why-agi-will-not-happen',
  ],
  ['Fu notes', 'https://danfu.org/notes/agi/', 'https://danfu.org/notes/agi'],
  [
    'Fu notes, shared from social media',
    'https://danfu.org/notes/agi/?utm_source=twitter&utm_medium=social#paths-forward',
    'https://danfu.org/notes/agi',
  ],
  // Scheme, host, port.
  ['scheme and host lower-cased', 'HTTPS://TimDettmers.COM/2025/', 'https://timdettmers.com/2025'],
  ['path case kept', 'https://example.com/Notes/AGI', 'https://example.com/Notes/AGI'],
  ['IDN host to punycode', 'https://Bücher.example/katalog', 'https://xn--bcher-kva.example/katalog'],
  ['default http port removed', 'http://example.com:80/a', 'http://example.com/a'],
  ['default https port removed', 'https://example.com:443/a', 'https://example.com/a'],
  ['non-default port kept', 'https://example.com:8443/a', 'https://example.com:8443/a'],
  ['port 80 on https is not a default', 'https://example.com:80/', 'https://example.com:80/'],
  ['trailing dot on host removed', 'https://example.com./a', 'https://example.com/a'],
  ['IPv6 host kept', 'http://[::1]:8080/x/', 'http://[::1]:8080/x'],
  ['www kept', 'https://www.example.com/', 'https://www.example.com/'],
  // Whitespace and fragments.
  ['surrounding whitespace trimmed', '  \thttps://example.com/a \n', 'https://example.com/a'],
  ['fragment removed', 'https://example.com/a#section-2', 'https://example.com/a'],
  ['empty query and fragment removed', 'https://example.com/a?#', 'https://example.com/a'],
  // Query.
  [
    'all utm_* removed',
    'https://example.com/?utm_source=a&utm_medium=b&utm_campaign=c&utm_content=d&utm_term=e&utm_id=f',
    'https://example.com/',
  ],
  ['utm keys matched case-insensitively', 'https://example.com/?UTM_Source=a&id=1', 'https://example.com/?id=1'],
  ['click ids removed', 'https://example.com/p?fbclid=1&gclid=2&dclid=3&msclkid=4&yclid=5&id=7', 'https://example.com/p?id=7'],
  [
    'mailchimp, hubspot, instagram, twitter, spm removed',
    'https://example.com/p?mc_cid=1&mc_eid=2&_hsenc=3&_hsmi=4&igshid=5&ref_src=6&spm=7&x=8',
    'https://example.com/p?x=8',
  ],
  ['params sorted by key', 'https://example.com/s?q=agi&page=2&lang=en', 'https://example.com/s?lang=en&page=2&q=agi'],
  ['equal keys keep their order', 'https://example.com/s?tag=b&id=1&tag=a', 'https://example.com/s?id=1&tag=b&tag=a'],
  ['empty params dropped', 'https://example.com/s?&a=1&&b=2&', 'https://example.com/s?a=1&b=2'],
  ['key-only param kept', 'https://example.com/s?print&a=1', 'https://example.com/s?a=1&print'],
  ['only tracking params leaves no ?', 'https://example.com/a/?gclid=xyz', 'https://example.com/a'],
  // Path.
  ['trailing slashes removed', 'https://example.com/a/b//', 'https://example.com/a/b'],
  ['root path kept', 'https://example.com', 'https://example.com/'],
  [
    'inner duplicate slashes kept',
    'https://web.archive.org/web/2020/https://example.com/',
    'https://web.archive.org/web/2020/https://example.com',
  ],
  ['dot segments resolved', 'https://example.com/a/./b/../c', 'https://example.com/a/c'],
  ['percent hex upper-cased', 'https://example.com/%e4%b8%ad?q=%e6%96%87', 'https://example.com/%E4%B8%AD?q=%E6%96%87'],
  ['unreserved escapes decoded', 'https://example.com/%7Euser/%41%2d%5F?k=%7e', 'https://example.com/~user/A-_?k=~'],
  ['reserved escapes kept', 'https://example.com/a%2Fb?q=a%26b', 'https://example.com/a%2Fb?q=a%26b'],
  ['spaces encoded', 'https://example.com/a b?q=a b', 'https://example.com/a%20b?q=a%20b'],
];

const invalid: Array<[name: string, input: string, reason: NormalizeUrlFailure]> = [
  ['empty', '', 'empty'],
  ['whitespace only', '   \n', 'empty'],
  ['no scheme', 'danfu.org/notes/agi/', 'missing-scheme'],
  ['protocol-relative', '//example.com/a', 'missing-scheme'],
  ['host and port without scheme', 'example.com:8080/a', 'missing-scheme'],
  ['ftp', 'ftp://example.com/file', 'unsupported-scheme'],
  ['javascript', 'javascript:alert(1)', 'unsupported-scheme'],
  ['mailto', 'mailto:someone@example.com', 'unsupported-scheme'],
  ['data', 'data:text/plain,hi', 'unsupported-scheme'],
  ['user and password', 'https://user:secret@example.com/a', 'credentials'],
  ['user only', 'https://user@example.com/a', 'credentials'],
  ['bad host', 'https://exa mple.com/', 'invalid-url'],
  ['bad port', 'https://example.com:99999/', 'invalid-url'],
  ['too long', `https://example.com/${'a'.repeat(MAX_URL_LENGTH)}`, 'too-long'],
];

describe('normalizeUrl', () => {
  it.each(valid)('%s', (_name, input, expected) => {
    expect(normalizeUrl(input)).toEqual({ ok: true, url: expected });
  });

  it.each(invalid)('rejects %s', (_name, input, reason) => {
    expect(normalizeUrl(input)).toEqual({ ok: false, reason });
  });

  it.each(valid)('is idempotent: %s', (_name, input) => {
    const once = normalizeUrl(input);
    if (!once.ok) throw new Error(`expected ${input} to normalise`);
    expect(normalizeUrl(once.url)).toEqual(once);
  });

  const duplicates: string[][] = [
    [
      'https://timdettmers.com/2025/12/10/why-agi-will-not-happen/',
      'https://timdettmers.com/2025/12/10/why-agi-will-not-happen',
      'HTTPS://TIMDETTMERS.COM:443/2025/12/10/why-agi-will-not-happen/?utm_source=hn#gpus-no-longer-improve',
      ' https://timdettmers.com./2025/12/10/why-agi-will-not-happen/?fbclid=IwAR0 ',
    ],
    [
      'https://danfu.org/notes/agi/',
      'https://DanFu.org/notes/agi?',
      'https://danfu.org/notes/%61gi/#conclusion',
      'https://danfu.org:443/notes/agi//?utm_campaign=x&gclid=y',
    ],
    ['https://example.com/s?b=2&a=1', 'https://example.com/s?a=1&b=2', 'https://example.com/s/?a=1&utm_source=x&b=2'],
  ];
  it.each(duplicates.map((group) => [group[0], group] as const))('normalises duplicates of %s equal', (_first, group) => {
    const urls = group.map((u) => normalizeUrl(u));
    for (const r of urls) expect(r.ok).toBe(true);
    expect(new Set(urls.map((r) => (r.ok ? r.url : r.reason))).size).toBe(1);
  });

  // Sources are deduplicated on the normalised URL: these differ in ways that can name another
  // resource, so they must stay two sources.
  const distinct: Array<[name: string, a: string, b: string]> = [
    ['http and https', 'http://example.com/a', 'https://example.com/a'],
    ['www and bare host', 'https://www.example.com/a', 'https://example.com/a'],
    ['path case', 'https://example.com/Notes', 'https://example.com/notes'],
    ['a meaningful query value', 'https://example.com/s?id=1', 'https://example.com/s?id=2'],
    ['an encoded slash', 'https://example.com/a%2Fb', 'https://example.com/a/b'],
    ['a non-default port', 'https://example.com:8443/a', 'https://example.com/a'],
  ];
  it.each(distinct)('keeps %s apart', (_name, a, b) => {
    const ra = normalizeUrl(a);
    const rb = normalizeUrl(b);
    expect(ra.ok && rb.ok).toBe(true);
    expect(ra.ok && rb.ok && ra.url !== rb.url).toBe(true);
  });

  it('accepts a URL exactly at the length limit', () => {
    const base = 'https://example.com/';
    const url = base + 'a'.repeat(MAX_URL_LENGTH - base.length);
    expect(normalizeUrl(url)).toEqual({ ok: true, url });
  });
});
