import type { Claim } from '../model/claim';
import type { ArgumentGraph } from '../model/graph';
import type { RelationKind } from '../model/relation';

/*
 * The map as a standalone SVG picture: every claim at its stored position as a box with its kind
 * and wrapped text, coloured and barred by strength when scores are given; supports, attacks
 * and undercuts as coloured arrows, an undercut ending at the middle of the arrow it attacks.
 *
 * Claim text comes from other people, so it is untrusted: everything is XML-escaped (and
 * characters XML cannot hold are dropped), and the picture uses no script, no foreignObject, no
 * external references and no event attributes, so it stays inert wherever it is opened.
 */

export const SVG_NODE_WIDTH = 240;
const PAD = 10;
const FONT_SIZE = 13;
const LINE_HEIGHT = 17;
const KIND_HEIGHT = 16;
const BAR_HEIGHT = 18;
/** A rough average glyph width of a sans-serif face at FONT_SIZE: enough to wrap without measuring. */
const CHAR_WIDTH = 7.2;
/** Longer claims are cut with an ellipsis: a 2,000-character claim would otherwise be a column. */
export const SVG_MAX_LINES = 10;
const MARGIN = 40;

export const RELATION_COLOURS: Record<RelationKind, string> = {
  supports: '#2e7d32',
  attacks: '#c62828',
  undercuts: '#6a1b9a',
};

const KIND_LABEL: Record<Claim['kind'], string> = { thesis: 'THESIS', claim: 'CLAIM', question: 'QUESTION' };

export interface SvgOptions {
  /** Strength per claim in [0, 1]; claims without one are drawn neutral. */
  scores?: ReadonlyMap<string, number> | Readonly<Record<string, number>>;
  title?: string;
}

export interface SvgResult {
  svg: string;
  width: number;
  height: number;
}

/** Is this UTF-16 unit allowed in XML 1.0 on its own (surrogates are checked in pairs)? */
const xmlChar = (c: number): boolean => c === 0x9 || c === 0xa || c === 0xd || (c >= 0x20 && c < 0xfffe && (c < 0xd800 || c > 0xdfff));

/** Drops what XML 1.0 cannot contain at all: control characters, lone surrogates, U+FFFE/F. */
function xmlSafe(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        out += s[i]! + s[i + 1]!;
        i++;
      }
      continue;
    }
    if (xmlChar(c)) out += s[i]!;
  }
  return out;
}

/** Escapes text for an XML text node or a double- or single-quoted attribute. */
export function escapeXml(s: string): string {
  return xmlSafe(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** 0 → red, 0.5 → amber, 1 → green; the same reading as the canvas' strength bars. */
export function strengthColour(score: number): string {
  const s = Number.isFinite(score) ? Math.min(1, Math.max(0, score)) : 0;
  return `hsl(${Math.round(s * 120)}, 62%, 42%)`;
}

/** Greedy word wrap by an estimated width; words longer than a line are split; extra lines end in "…". */
export function wrapText(text: string, maxChars: number, maxLines = SVG_MAX_LINES): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (word === '') continue;
    let w = word;
    while (w.length > maxChars) {
      if (line !== '') lines.push(line);
      line = '';
      lines.push(w.slice(0, maxChars));
      w = w.slice(maxChars);
    }
    if (w === '') continue;
    if (line === '') line = w;
    else if (line.length + 1 + w.length <= maxChars) line += ` ${w}`;
    else {
      lines.push(line);
      line = w;
    }
    // Nothing past the limit is shown, so a 2,000-character claim stops costing here.
    if (lines.length > maxLines) break;
  }
  if (line !== '') lines.push(line);
  if (lines.length <= maxLines) return lines;
  const kept = lines.slice(0, maxLines);
  kept[maxLines - 1] = `${kept[maxLines - 1]!.slice(0, maxChars - 1).trimEnd()}…`;
  return kept;
}

interface Box {
  claim: Claim;
  x: number;
  y: number;
  w: number;
  h: number;
  lines: string[];
  score: number | undefined;
}

const fmt = (n: number): string => String(Math.round(n * 10) / 10);

/** Where the segment from the box's centre towards (tx, ty) leaves the box. */
function exitPoint(b: Box, tx: number, ty: number): { x: number; y: number } {
  const cx = b.x + b.w / 2;
  const cy = b.y + b.h / 2;
  const dx = tx - cx;
  const dy = ty - cy;
  if (dx === 0 && dy === 0) return { x: cx, y: cy };
  const sx = dx === 0 ? Infinity : b.w / 2 / Math.abs(dx);
  const sy = dy === 0 ? Infinity : b.h / 2 / Math.abs(dy);
  const s = Math.min(sx, sy);
  return { x: cx + dx * s, y: cy + dy * s };
}

/** How large a PNG of the picture can be: browsers refuse canvases much past 16k pixels a side. */
export function pngScale(width: number, height: number, maxSide = 8192, preferred = 2): number {
  const longest = Math.max(width, height, 1);
  return Math.min(preferred, maxSide / longest);
}

export function renderSvg(graph: ArgumentGraph, options: SvgOptions = {}): SvgResult {
  const scores = options.scores;
  const scoreOf = (id: string): number | undefined => {
    if (!scores) return undefined;
    const v =
      scores instanceof Map
        ? scores.get(id)
        : Object.prototype.hasOwnProperty.call(scores, id)
          ? (scores as Record<string, number>)[id]
          : undefined;
    return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
  };
  const maxChars = Math.floor((SVG_NODE_WIDTH - 2 * PAD) / CHAR_WIDTH);
  const boxes = new Map<string, Box>();
  for (const c of graph.claims) {
    const lines = wrapText(c.text, maxChars);
    const score = scoreOf(c.id);
    const h = PAD + KIND_HEIGHT + Math.max(1, lines.length) * LINE_HEIGHT + (score === undefined ? 0 : BAR_HEIGHT) + PAD;
    const x = Number.isFinite(c.x) ? c.x : 0;
    const y = Number.isFinite(c.y) ? c.y : 0;
    boxes.set(c.id, { claim: c, x, y, w: SVG_NODE_WIDTH, h, lines, score });
  }

  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const b of boxes.values()) {
    minX = Math.min(minX, b.x);
    minY = Math.min(minY, b.y);
    maxX = Math.max(maxX, b.x + b.w);
    maxY = Math.max(maxY, b.y + b.h);
  }
  if (boxes.size === 0) {
    minX = 0;
    minY = 0;
    maxX = SVG_NODE_WIDTH;
    maxY = 60;
  }
  const ox = MARGIN - minX;
  const oy = MARGIN - minY;
  const width = Math.ceil(maxX - minX + 2 * MARGIN);
  const height = Math.ceil(maxY - minY + 2 * MARGIN);

  // Edge endpoints in map coordinates, computed once per relation; an undercut ends at the
  // middle of the edge it attacks.
  type Segment = { x1: number; y1: number; x2: number; y2: number };
  const relById = new Map(graph.relations.map((r) => [r.id, r]));
  const segments = new Map<string, Segment | null>();
  const segmentOf = (id: string): Segment | null => {
    const known = segments.get(id);
    if (known !== undefined) return known;
    // Marked before recursing, so a cycle of undercuts (which validation forbids) stops here.
    segments.set(id, null);
    const r = relById.get(id);
    const from = r ? boxes.get(r.from) : undefined;
    let end: { x: number; y: number } | null = null;
    if (r && from) {
      if (r.kind === 'undercuts') {
        const target = segmentOf(r.to);
        if (target) end = { x: (target.x1 + target.x2) / 2, y: (target.y1 + target.y2) / 2 };
      } else {
        const to = boxes.get(r.to);
        if (to) end = exitPoint(to, from.x + from.w / 2, from.y + from.h / 2);
      }
    }
    const seg = from && end ? (({ x, y }) => ({ x1: x, y1: y, x2: end.x, y2: end.y }))(exitPoint(from, end.x, end.y)) : null;
    segments.set(id, seg);
    return seg;
  };
  const edgeMarkup: string[] = [];
  for (const r of graph.relations) {
    const seg = segmentOf(r.id);
    if (!seg) continue;
    const colour = RELATION_COLOURS[r.kind] ?? '#555555';
    const dash = r.kind === 'undercuts' ? ' stroke-dasharray="6 4"' : '';
    edgeMarkup.push(
      `<line class="edge edge-${r.kind}" data-relation-id="${escapeXml(r.id)}" x1="${fmt(seg.x1 + ox)}" y1="${fmt(seg.y1 + oy)}" x2="${fmt(seg.x2 + ox)}" y2="${fmt(seg.y2 + oy)}" stroke="${colour}" stroke-width="2"${dash} marker-end="url(#arrow-${r.kind})"/>`,
    );
  }

  const nodeMarkup: string[] = [];
  for (const b of boxes.values()) {
    const x = b.x + ox;
    const y = b.y + oy;
    const stroke = b.score === undefined ? '#9e9e9e' : strengthColour(b.score);
    const thesis = b.claim.kind === 'thesis';
    const parts: string[] = [
      `<g class="claim claim-${b.claim.kind}" data-claim-id="${escapeXml(b.claim.id)}">`,
      `<rect x="${fmt(x)}" y="${fmt(y)}" width="${b.w}" height="${fmt(b.h)}" rx="8" fill="#ffffff" stroke="${stroke}" stroke-width="${thesis ? 3 : 2}"/>`,
      `<text x="${fmt(x + PAD)}" y="${fmt(y + PAD + 11)}" font-size="10" font-weight="700" fill="#616161" letter-spacing="0.5">${KIND_LABEL[b.claim.kind] ?? 'CLAIM'}</text>`,
    ];
    const textTop = y + PAD + KIND_HEIGHT;
    const lines = b.lines.length > 0 ? b.lines : [''];
    parts.push(`<text x="${fmt(x + PAD)}" y="${fmt(textTop + FONT_SIZE)}" font-size="${FONT_SIZE}" fill="#212121">`);
    lines.forEach((l, i) => parts.push(`<tspan x="${fmt(x + PAD)}" dy="${i === 0 ? 0 : LINE_HEIGHT}">${escapeXml(l)}</tspan>`));
    parts.push('</text>');
    if (b.score !== undefined) {
      const barY = textTop + lines.length * LINE_HEIGHT + 4;
      const barW = b.w - 2 * PAD - 40;
      const s = Math.min(1, Math.max(0, b.score));
      parts.push(
        `<rect class="strength-track" x="${fmt(x + PAD)}" y="${fmt(barY)}" width="${fmt(barW)}" height="8" rx="4" fill="#eeeeee"/>`,
        `<rect class="strength-bar" x="${fmt(x + PAD)}" y="${fmt(barY)}" width="${fmt(barW * s)}" height="8" rx="4" fill="${strengthColour(s)}"/>`,
        `<text x="${fmt(x + b.w - PAD)}" y="${fmt(barY + 8)}" font-size="11" text-anchor="end" fill="#424242">${s.toFixed(2)}</text>`,
      );
    }
    parts.push('</g>');
    nodeMarkup.push(parts.join(''));
  }

  const markers = (Object.keys(RELATION_COLOURS) as RelationKind[])
    .map(
      (k) =>
        `<marker id="arrow-${k}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="${RELATION_COLOURS[k]}"/></marker>`,
    )
    .join('');
  const title = options.title ? `<title>${escapeXml(options.title)}</title>` : '';
  const svg =
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif">` +
    title +
    `<defs>${markers}</defs>` +
    `<rect width="100%" height="100%" fill="#fafafa"/>` +
    `<g class="edges">${edgeMarkup.join('')}</g>` +
    `<g class="claims">${nodeMarkup.join('')}</g>` +
    `</svg>\n`;
  return { svg, width, height };
}
