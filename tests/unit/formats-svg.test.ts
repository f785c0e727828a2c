import { describe, expect, it } from 'vitest';
import {
  RELATION_COLOURS,
  SVG_MAX_LINES,
  SVG_NODE_WIDTH,
  escapeXml,
  pngScale,
  renderSvg,
  strengthColour,
  wrapText,
} from '../../lib/formats/svg';
import type { Claim } from '../../lib/model/claim';
import type { ArgumentGraph } from '../../lib/model/graph';
import type { Relation } from '../../lib/model/relation';

const claim = (id: string, text: string, x: number, y: number, kind: Claim['kind'] = 'claim'): Claim => ({
  id,
  text,
  kind,
  x,
  y,
  author: '',
  tags: [],
  createdAt: 0,
  updatedAt: 0,
});
const rel = (id: string, from: string, to: string, kind: Relation['kind']): Relation => ({
  id,
  from,
  to,
  kind,
  group: '',
  author: '',
  createdAt: 0,
});

/** Thesis T, A supports it, B attacks it, U undercuts A → T. */
const graph: ArgumentGraph = {
  claims: [
    claim('T', 'Remote work should be the default.', 0, 0, 'thesis'),
    claim('A', 'Commutes waste time.', -300, 200),
    claim('B', 'Juniors learn less.', 300, 200),
    claim('U', 'Only for long commutes.', -300, 400),
  ],
  relations: [rel('rA', 'A', 'T', 'supports'), rel('rB', 'B', 'T', 'attacks'), rel('rU', 'U', 'rA', 'undercuts')],
};

/** Parses the SVG the way a browser would and fails on anything that is not well-formed XML. */
function parse(svg: string): Document {
  // DOMParser is not in Node; a strict check of the markup we emit is enough: balanced tags and
  // no raw "<" or "&" inside text.
  const stack: string[] = [];
  const body = svg.replace(/^<\?xml[^>]*\?>\s*/, '');
  const tag = /<(\/?)([a-zA-Z]+)([^>]*?)(\/?)>|([^<]+)/g;
  let m: RegExpExecArray | null;
  while ((m = tag.exec(body))) {
    if (m[5] !== undefined) {
      expect(m[5]).not.toMatch(/&(?!(amp|lt|gt|quot|apos);)/);
      continue;
    }
    if (m[1]) expect(stack.pop()).toBe(m[2]);
    else if (!m[4]) stack.push(m[2]!);
  }
  expect(stack).toEqual([]);
  return null as unknown as Document;
}

describe('svg export', () => {
  it('draws every claim at its stored position, offset by a common margin', () => {
    const { svg, width, height } = renderSvg(graph);
    parse(svg);
    expect(svg.match(/<g class="claim /g)).toHaveLength(4);
    // Leftmost claim at x = -300 lands at the 40-unit margin; T sits 300 to its right.
    expect(svg).toMatch(/data-claim-id="A"><rect x="40" y="240"/);
    expect(svg).toMatch(/data-claim-id="T"><rect x="340" y="40"/);
    expect(width).toBe(600 + SVG_NODE_WIDTH + 80);
    expect(height).toBeGreaterThan(400 + 80);
    expect(svg).toContain(`width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"`);
  });

  it.each([
    ['supports', RELATION_COLOURS.supports],
    ['attacks', RELATION_COLOURS.attacks],
    ['undercuts', RELATION_COLOURS.undercuts],
  ] as const)('colours %s edges %s', (kind, colour) => {
    const { svg } = renderSvg(graph);
    expect(svg).toMatch(new RegExp(`<line class="edge edge-${kind}"[^>]*stroke="${colour}"`));
  });

  it('ends an undercut at the midpoint of the edge it attacks', () => {
    const { svg } = renderSvg(graph);
    const line = (id: string) => {
      const m = new RegExp(`data-relation-id="${id}" x1="([-\\d.]+)" y1="([-\\d.]+)" x2="([-\\d.]+)" y2="([-\\d.]+)"`).exec(svg)!;
      return m.slice(1).map(Number) as [number, number, number, number];
    };
    const [x1, y1, x2, y2] = line('rA');
    const u = line('rU');
    expect(u[2]).toBeCloseTo((x1 + x2) / 2, 0);
    expect(u[3]).toBeCloseTo((y1 + y2) / 2, 0);
  });

  it('colours boxes and draws a bar when scores are given; neutral without', () => {
    const scored = renderSvg(graph, { scores: { T: 0.8, A: 0 } }).svg;
    expect(scored).toMatch(new RegExp(`data-claim-id="T"><rect[^>]*stroke="${escapeRe(strengthColour(0.8))}"`));
    expect(scored).toMatch(/data-claim-id="T">.*?class="strength-bar"[^>]*width="(\d+(\.\d)?)"/);
    expect(scored.match(/class="strength-bar"/g)).toHaveLength(2);
    expect(scored).toContain('>0.80<');
    const plain = renderSvg(graph).svg;
    expect(plain).not.toContain('strength-bar');
    expect(plain).toMatch(/data-claim-id="T"><rect[^>]*stroke="#9e9e9e"/);
    // Scores from a Map work the same.
    expect(renderSvg(graph, { scores: new Map([['T', 0.8]]) }).svg.match(/class="strength-bar"/g)).toHaveLength(1);
  });

  it.each([
    [0, 'hsl(0, 62%, 42%)'],
    [0.5, 'hsl(60, 62%, 42%)'],
    [1, 'hsl(120, 62%, 42%)'],
    [2, 'hsl(120, 62%, 42%)'],
    [Number.NaN, 'hsl(0, 62%, 42%)'],
  ])('strength %s is %s', (s, colour) => expect(strengthColour(s)).toBe(colour));

  const hostile = [
    '<script>alert(1)</script>',
    '"><foreignObject><iframe src="javascript:alert(1)"/></foreignObject>',
    "' onload='alert(1)",
    'Tom & Jerry <3',
    'bell\u0007 and lone \uD800 surrogate',
  ];
  it.each(hostile)('escapes untrusted text: %s', (text) => {
    const g: ArgumentGraph = { claims: [claim('x', text, 0, 0)], relations: [] };
    const { svg } = renderSvg(g, { title: text });
    parse(svg);
    expect(svg).not.toMatch(/<script|<foreignObject|<iframe/i);
    // Text may say "onload=", but no tag carries an event attribute.
    expect(svg.match(/<[^>]*>/g)!.filter((t) => /\son\w+=/i.test(t))).toEqual([]);
    expect(svg.includes('\u0007') || svg.includes('\uD800')).toBe(false);
    expect(
      svg
        .match(/<[a-zA-Z]+/g)!
        .every((t) => ['<svg', '<title', '<defs', '<marker', '<path', '<rect', '<g', '<text', '<tspan', '<line'].includes(t)),
    ).toBe(true);
  });

  it('escapes all five XML specials', () => {
    expect(escapeXml(`<a href="x">&'`)).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&apos;');
  });

  it('wraps text to the box and cuts long claims with an ellipsis', () => {
    expect(wrapText('one two three four', 9)).toEqual(['one two', 'three', 'four']);
    expect(wrapText('abcdefghijkl', 5)).toEqual(['abcde', 'fghij', 'kl']);
    const long = wrapText('word '.repeat(2000), 30);
    expect(long).toHaveLength(SVG_MAX_LINES);
    expect(long[SVG_MAX_LINES - 1]).toMatch(/…$/);
    expect(wrapText('', 30)).toEqual([]);
  });

  it('an empty map is a small valid picture', () => {
    const { svg, width, height } = renderSvg({ claims: [], relations: [] });
    parse(svg);
    expect(width).toBeGreaterThan(0);
    expect(height).toBeGreaterThan(0);
  });

  it('keeps PNGs within what a browser canvas accepts', () => {
    expect(pngScale(1000, 500)).toBe(2);
    expect(pngScale(100_000, 500)).toBeCloseTo(8192 / 100_000);
    expect(100_000 * pngScale(100_000, 500)).toBeLessThanOrEqual(8192);
  });
});

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
