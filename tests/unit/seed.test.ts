import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { AGI_DEBATE, buildAgiDoc } from '@/lib/seed/agi';
import { claimSchema } from '@/lib/model/claim';
import { relationSchema } from '@/lib/model/relation';
import { readGraph, validateDoc } from '@/lib/model/doc';
import { normalizeUrl } from '@/lib/url';

const { graph, sources, evidence } = AGI_DEBATE;
const claims = new Map(graph.claims.map((c) => [c.id, c]));
const sourceIds = new Set(sources.map((s) => s.id));
/** A claim card on the canvas: 260 px wide; this debate's texts make them 215–291 px tall in Chromium. */
const NODE_W = 260;
const NODE_H = 260;

const hasRelation = (from: string, kind: string, to: string) =>
  graph.relations.some((r) => r.from === from && r.kind === kind && r.to === to);

describe('AGI launch debate: metadata', () => {
  it('has a stable id, the title and a short description', () => {
    expect(AGI_DEBATE.id).toBe('agi');
    expect(AGI_DEBATE.title).toBe('Will AGI happen?');
    const sentences = AGI_DEBATE.description.split(/(?<=[.?!])\s+/).filter(Boolean);
    expect(sentences.length).toBeGreaterThanOrEqual(2);
    expect(sentences.length).toBeLessThanOrEqual(3);
  });
});

describe('AGI launch debate: claims', () => {
  it('has at least 20 claims with unique ids', () => {
    expect(graph.claims.length).toBeGreaterThanOrEqual(20);
    expect(claims.size).toBe(graph.claims.length);
  });

  it('has both theses, the question and every claim of the brief', () => {
    expect(claims.get('a0')?.kind).toBe('thesis');
    expect(claims.get('b0')?.kind).toBe('thesis');
    expect(claims.get('q0')?.kind).toBe('question');
    for (let i = 1; i <= 11; i++) expect(claims.get(`a${i}`)?.kind, `a${i}`).toBe('claim');
    for (let i = 1; i <= 10; i++) expect(claims.get(`b${i}`)?.kind, `b${i}`).toBe('claim');
  });

  it.each(graph.claims.map((c) => [c.id, c] as const))('%s is valid, concise, tagged and attributed', (_id, c) => {
    expect(() => claimSchema.parse(c)).not.toThrow();
    expect(c.text.trim().length).toBeGreaterThan(0);
    expect(c.text.length).toBeLessThanOrEqual(280);
    expect(c.tags.length).toBeGreaterThan(0);
    if (c.id.startsWith('a')) expect(c.author).toBe('Tim Dettmers (S1)');
    if (c.id.startsWith('b')) expect(c.author).toBe('Dan Fu (S2)');
  });

  it('uses fixed timestamps', () => {
    const seededAt = Date.UTC(2025, 11, 15, 9, 0, 0);
    for (const c of graph.claims) {
      expect(c.createdAt).toBeGreaterThanOrEqual(seededAt);
      expect(c.updatedAt).toBe(c.createdAt);
    }
    for (const r of graph.relations) expect(r.createdAt).toBeGreaterThanOrEqual(seededAt);
  });
});

describe('AGI launch debate: relations', () => {
  it('are valid, uniquely identified and point at existing claims', () => {
    expect(new Set(graph.relations.map((r) => r.id)).size).toBe(graph.relations.length);
    for (const r of graph.relations) {
      expect(() => relationSchema.parse(r)).not.toThrow();
      expect(r.id).toBe(`r-${r.from}-${r.to}`);
      expect(claims.has(r.from), `${r.id} from`).toBe(true);
      expect(claims.has(r.to), `${r.id} to`).toBe(true);
      expect(r.from).not.toBe(r.to);
    }
  });

  const brief: Array<[from: string, kind: 'supports' | 'attacks', to: string]> = [
    // "Relations worth drawing" and the per-claim notes of the brief.
    ['b1', 'attacks', 'a2'],
    ['b1', 'attacks', 'a4'],
    ['b3', 'attacks', 'a4'],
    ['b4', 'attacks', 'a2'],
    ['b5', 'attacks', 'a6'],
    ['b6', 'attacks', 'a5'],
    ['b6', 'attacks', 'a6'],
    ['b10', 'attacks', 'a9'],
    ['b9', 'attacks', 'a0'],
    ['a3', 'supports', 'a6'],
    ['a3', 'supports', 'a10'],
    ['a1', 'supports', 'a2'],
    ['a1', 'supports', 'a4'],
    ['a7', 'supports', 'a11'],
    ['b7', 'supports', 'b6'],
    // The two theses against each other and as answers to the question.
    ['b0', 'attacks', 'a0'],
    ['a0', 'attacks', 'q0'],
    ['b0', 'supports', 'q0'],
  ];
  it.each(brief)('%s %s %s', (from, kind, to) => {
    expect(hasRelation(from, kind, to)).toBe(true);
  });

  it('connects every claim of a side to its thesis through supports', () => {
    const supportsTo = new Map<string, string[]>();
    for (const r of graph.relations) if (r.kind === 'supports') supportsTo.set(r.from, [...(supportsTo.get(r.from) ?? []), r.to]);
    const reaches = (id: string, thesis: string, seen = new Set<string>()): boolean => {
      if (id === thesis) return true;
      if (seen.has(id)) return false;
      seen.add(id);
      return (supportsTo.get(id) ?? []).some((t) => reaches(t, thesis, seen));
    };
    for (const c of graph.claims) {
      if (c.kind !== 'claim') continue;
      const thesis = c.id.startsWith('a') ? 'a0' : 'b0';
      expect(reaches(c.id, thesis), `${c.id} → ${thesis}`).toBe(true);
    }
  });

  it('never has a side support the other side', () => {
    for (const r of graph.relations) {
      if (r.kind !== 'supports' || r.to === 'q0') continue;
      expect(r.from[0], r.id).toBe(r.to[0]);
    }
  });
});

describe('AGI launch debate: layout', () => {
  it('has no two claims within 270 px horizontally and 120 px vertically', () => {
    const close: string[] = [];
    graph.claims.forEach((a, i) => {
      for (const b of graph.claims.slice(i + 1)) if (Math.abs(a.x - b.x) < 270 && Math.abs(a.y - b.y) < 120) close.push(`${a.id}/${b.id}`);
    });
    expect(close).toEqual([]);
  });

  it('puts the question on top and the theses above their claims', () => {
    const q = claims.get('q0')!;
    const a0 = claims.get('a0')!;
    const b0 = claims.get('b0')!;
    expect(q.y).toBeLessThan(a0.y);
    expect(a0.y).toBe(b0.y);
    expect(a0.x).toBeLessThan(b0.x);
    for (const c of graph.claims) if (c.kind === 'claim') expect(c.y, c.id).toBeGreaterThan(a0.y);
  });

  it('keeps at least 20 px between any two claims', () => {
    const close: string[] = [];
    for (const [i, p] of graph.claims.entries())
      for (const q of graph.claims.slice(i + 1)) {
        const apartX = p.x + NODE_W + 20 <= q.x || q.x + NODE_W + 20 <= p.x;
        const apartY = p.y + NODE_H + 20 <= q.y || q.y + NODE_H + 20 <= p.y;
        if (!apartX && !apartY) close.push(`${p.id}/${q.id}`);
      }
    expect(close).toEqual([]);
  });

  it('draws every edge, as a straight line between centres, clear of the other claims', () => {
    const margin = 10;
    const centre = (id: string) => {
      const c = claims.get(id)!;
      return [c.x + NODE_W / 2, c.y + NODE_H / 2] as const;
    };
    // Liang–Barsky: does the segment enter the box?
    const crosses = (p: readonly number[], q: readonly number[], box: number[]) => {
      const [x0, y0] = p as [number, number];
      const dx = q[0]! - x0;
      const dy = q[1]! - y0;
      let t0 = 0;
      let t1 = 1;
      const sides: Array<[number, number]> = [
        [-dx, x0 - box[0]!],
        [dx, box[2]! - x0],
        [-dy, y0 - box[1]!],
        [dy, box[3]! - y0],
      ];
      for (const [pp, qq] of sides) {
        if (pp === 0) {
          if (qq < 0) return false;
        } else if (pp < 0) t0 = Math.max(t0, qq / pp);
        else t1 = Math.min(t1, qq / pp);
        if (t0 > t1) return false;
      }
      return true;
    };
    const hits: string[] = [];
    for (const r of graph.relations)
      for (const c of graph.claims) {
        if (c.id === r.from || c.id === r.to) continue;
        const box = [c.x - margin, c.y - margin, c.x + NODE_W + margin, c.y + NODE_H + margin];
        if (crosses(centre(r.from), centre(r.to), box)) hits.push(`${r.id} × ${c.id}`);
      }
    expect(hits).toEqual([]);
  });

  it('places each attacker beside what it attacks', () => {
    for (const r of graph.relations) {
      if (r.kind !== 'attacks' || r.to === 'q0' || r.to === 'a0') continue;
      const from = claims.get(r.from)!;
      const to = claims.get(r.to)!;
      expect(Math.hypot(from.x - to.x, from.y - to.y), r.id).toBeLessThan(600);
    }
  });
});

describe('AGI launch debate: sources and evidence', () => {
  it('lists the three sources of the brief', () => {
    const byId = new Map(sources.map((s) => [s.id, s]));
    expect(byId.get('s1')).toMatchObject({
      url: 'https://timdettmers.com/2025/12/10/why-agi-will-not-happen/',
      publishedAt: '2025-12-10',
      kind: 'blog',
    });
    expect(byId.get('s2')).toMatchObject({ url: 'https://danfu.org/notes/agi/', kind: 'blog' });
    expect(byId.get('s3')).toMatchObject({ url: null, kind: 'news' });
    for (const s of sources) {
      expect(s.publishedAt === null || /^\d{4}-\d{2}-\d{2}$/.test(s.publishedAt)).toBe(true);
      if (s.url !== null) expect(normalizeUrl(s.url).ok).toBe(true);
    }
  });

  it('has at least 12 evidence links to existing claims and sources', () => {
    expect(evidence.length).toBeGreaterThanOrEqual(12);
    expect(new Set(evidence.map((e) => e.id)).size).toBe(evidence.length);
    for (const e of evidence) {
      expect(claims.has(e.claimId), e.id).toBe(true);
      expect(sourceIds.has(e.sourceId), e.id).toBe(true);
      expect(e.quote.length, e.id).toBeGreaterThan(0);
      expect(e.locator.length, e.id).toBeGreaterThan(0);
    }
  });

  it('marks passages from the Chinese article as translations', () => {
    for (const e of evidence.filter((x) => x.sourceId === 's3')) expect(e.note, e.id).toMatch(/translated/i);
  });

  it('uses every stance', () => {
    expect(new Set(evidence.map((e) => e.stance))).toEqual(new Set(['supports', 'contradicts', 'context']));
  });

  const figures: Array<[figure: string, pattern: RegExp, claimId: string]> = [
    ['20% MFU, DeepSeek-V3 / Llama-4, FP8', /DeepSeek-V3 and Llama-4.*20% MFU.*FP8/, 'b1'],
    ['50% MFU, BLOOM 2022', /BLOOM.*50% MFU.*2022/, 'b1'],
    ['2.2x FP8, Blackwell vs Hopper', /Blackwell.*2\.2x the FP8 throughput of Hopper/, 'b3'],
    ['up to 9x usable FLOPs with FP4', /FP4.*up to 9x/, 'b3'],
    ['~70% MBU', /~70% MBU/, 'b4'],
    ['<5% MFU', /<5%/, 'b4'],
    ['2,048 H800', /2,048 H800/, 'b5'],
    ['40k and 100k+ GPU clusters', /40k.*100k\+/, 'b5'],
    ['up to 50x', /up to 50x/, 'b5'],
    ['NVL72 = 72 GPUs', /NVL72 connects 72 GPUs/, 'b6'],
    ['price-performance peak ~2018', /performance per cost around 2018/, 'a4'],
    ['1–2 years of scaling', /one year, at most two/, 'a6'],
    ['~300B-parameter model', /300 billion parameters/, 'a8'],
  ];
  it.each(figures)('quotes the figure %s on the claim it backs', (_figure, pattern, claimId) => {
    const matching = evidence.filter((e) => pattern.test(e.quote));
    expect(matching.length).toBeGreaterThan(0);
    expect(matching.some((e) => e.claimId === claimId && e.stance === 'supports')).toBe(true);
  });
});

describe('buildAgiDoc', () => {
  it('writes a document that validates and reads back as the seed graph', () => {
    const doc = new Y.Doc();
    buildAgiDoc(doc);
    expect(validateDoc(doc)).toEqual([]);
    const back = readGraph(doc);
    const byId = <T extends { id: string }>(xs: T[]) => [...xs].sort((a, b) => a.id.localeCompare(b.id));
    expect(byId(back.claims)).toEqual(byId(graph.claims));
    expect(byId(back.relations)).toEqual(byId(graph.relations));
  });

  it('is deterministic: two builds produce identical updates', () => {
    const a = new Y.Doc();
    const b = new Y.Doc();
    a.clientID = 1;
    b.clientID = 1;
    buildAgiDoc(a);
    buildAgiDoc(b);
    expect(Y.encodeStateAsUpdate(a)).toEqual(Y.encodeStateAsUpdate(b));
  });
});
