import { describe, expect, it } from 'vitest';
import { allItems, buildOutline, visibleItems, type OutlineItem } from '@/lib/outline';
import type { Claim, ClaimKind } from '@/lib/model/claim';
import type { ArgumentGraph } from '@/lib/model/graph';
import type { RelationKind } from '@/lib/model/relation';

/*
 * Table-driven tests for lib/outline.ts (STYLE practice 8). An outline is compared as text, one
 * line per item: indentation for depth, the relation kind (or "root"), the claim id, and the
 * marker when it is not the first occurrence.
 */

type C = [id: string, kind?: ClaimKind, createdAt?: number];
type R = [id: string, from: string, to: string, kind?: RelationKind, createdAt?: number];

function graph(claims: C[], relations: R[] = []): ArgumentGraph {
  return {
    claims: claims.map(([id, kind = 'claim', createdAt = 1]): Claim => ({
      id,
      kind,
      text: id,
      x: 0,
      y: 0,
      author: 't',
      tags: [],
      createdAt,
      updatedAt: createdAt,
    })),
    relations: relations.map(([id, from, to, kind = 'supports', createdAt = 1]) => ({
      id,
      from,
      to,
      kind,
      group: '',
      author: 't',
      createdAt,
    })),
  };
}

const render = (roots: OutlineItem[]): string[] =>
  allItems(roots).map(
    (i) => `${'  '.repeat(i.depth)}${i.relation?.kind ?? 'root'} ${i.claim.id}${i.marker === 'first' ? '' : ` [${i.marker}]`}`,
  );

const cases: { name: string; graph: ArgumentGraph; lines: string[] }[] = [
  { name: 'an empty map', graph: graph([]), lines: [] },
  {
    name: 'supports before attacks, each oldest first',
    graph: graph(
      [['t', 'thesis'], ['a1'], ['s1'], ['s2'], ['a2']],
      [
        ['r1', 'a1', 't', 'attacks', 1],
        ['r2', 's2', 't', 'supports', 5],
        ['r3', 's1', 't', 'supports', 2],
        ['r4', 'a2', 't', 'attacks', 3],
      ],
    ),
    lines: ['root t', '  supports s1', '  supports s2', '  attacks a1', '  attacks a2'],
  },
  {
    name: 'theses, then questions, then unattached claims, each oldest first',
    graph: graph([
      ['loose', 'claim', 0],
      ['q', 'question', 0],
      ['t2', 'thesis', 9],
      ['t1', 'thesis', 3],
    ]),
    lines: ['root t1', 'root t2', 'root q', 'root loose'],
  },
  {
    name: 'a thesis answering a question sits under the question only',
    graph: graph(
      [['q', 'question'], ['yes', 'thesis'], ['no', 'thesis'], ['why']],
      [
        ['r1', 'yes', 'q', 'supports'],
        ['r2', 'no', 'q', 'attacks'],
        ['r3', 'yes', 'no', 'attacks'],
        ['r4', 'why', 'yes'],
      ],
    ),
    lines: ['root q', '  supports yes', '    supports why', '  attacks no', '    attacks yes [repeat]'],
  },
  {
    name: 'a claim with two parents: expanded under the first, a repeat under the second',
    graph: graph(
      [['t1', 'thesis', 1], ['t2', 'thesis', 2], ['c'], ['d']],
      [
        ['r1', 'c', 't1'],
        ['r2', 'c', 't2', 'attacks'],
        ['r3', 'd', 'c'],
      ],
    ),
    lines: ['root t1', '  supports c', '    supports d', 'root t2', '  attacks c [repeat]'],
  },
  {
    name: "undercuts come last, under the relation's premise",
    graph: graph(
      [['t', 'thesis'], ['p'], ['q'], ['u'], ['s']],
      [
        ['r1', 'p', 't'],
        ['r2', 'q', 'p', 'attacks'],
        ['r3', 's', 'p'],
        ['u1', 'u', 'r1', 'undercuts'],
      ],
    ),
    lines: ['root t', '  supports p', '    supports s', '    attacks q', '    undercuts u'],
  },
  {
    name: 'an undercut of an undercut, under the first undercutter',
    graph: graph(
      [['t', 'thesis'], ['p'], ['u'], ['v']],
      [
        ['r1', 'p', 't'],
        ['u1', 'u', 'r1', 'undercuts'],
        ['u2', 'v', 'u1', 'undercuts'],
      ],
    ),
    lines: ['root t', '  supports p', '    undercuts u', '      undercuts v'],
  },
  {
    name: 'a repeat still lists the undercuts of its own relation, and only those',
    graph: graph(
      [['t1', 'thesis', 1], ['t2', 'thesis', 2], ['c'], ['d'], ['u']],
      [
        ['r1', 'c', 't1'],
        ['r2', 'c', 't2'],
        ['r3', 'd', 'c'],
        ['u1', 'u', 'r2', 'undercuts'],
      ],
    ),
    lines: ['root t1', '  supports c', '    supports d', 'root t2', '  supports c [repeat]', '    undercuts u'],
  },
  {
    name: 'a cycle under a thesis ends with a cycle marker',
    graph: graph(
      [['t', 'thesis'], ['a'], ['b']],
      [
        ['r1', 'a', 't'],
        ['r2', 'b', 'a'],
        ['r3', 'a', 'b', 'attacks'],
      ],
    ),
    lines: ['root t', '  supports a', '    supports b', '      attacks a [cycle]'],
  },
  {
    name: 'a cycle reachable from no root becomes a root of its own',
    graph: graph(
      [
        ['a', 'claim', 1],
        ['b', 'claim', 2],
        ['c', 'claim', 3],
      ],
      [
        ['r1', 'a', 'b'],
        ['r2', 'b', 'c'],
        ['r3', 'c', 'a'],
      ],
    ),
    lines: ['root a', '  supports c', '    supports b', '      supports a [cycle]'],
  },
  {
    name: 'a cycle through a thesis: the thesis heads it',
    graph: graph(
      [
        ['x', 'claim', 1],
        ['t', 'thesis', 2],
      ],
      [
        ['r1', 'x', 't'],
        ['r2', 't', 'x', 'attacks'],
      ],
    ),
    lines: ['root t', '  supports x', '    attacks t [cycle]'],
  },
  {
    name: 'the undercut of a relation closing a cycle is still shown',
    graph: graph(
      [
        ['a', 'claim', 1],
        ['b', 'claim', 2],
        ['u', 'claim', 3],
      ],
      [
        ['r1', 'a', 'b'],
        ['r2', 'b', 'a'],
        ['u1', 'u', 'r1', 'undercuts'],
      ],
    ),
    // r1 (a supports b) is the relation the cycle marker stands for.
    lines: ['root a', '  supports b', '    supports a [cycle]', '      undercuts u'],
  },
  {
    name: 'self-loops and dangling relations are ignored',
    graph: graph(
      [['t', 'thesis'], ['a']],
      [
        ['r1', 't', 't'],
        ['r2', 'a', 'gone'],
        ['u1', 'a', 'no-relation', 'undercuts'],
      ],
    ),
    lines: ['root t', 'root a'],
  },
  {
    name: 'the same pair related twice: both relations shown',
    graph: graph(
      [['t', 'thesis'], ['a']],
      [
        ['r1', 'a', 't', 'supports'],
        ['r2', 'a', 't', 'attacks'],
      ],
    ),
    lines: ['root t', '  supports a', '  attacks a [repeat]'],
  },
];

describe('buildOutline', () => {
  for (const c of cases) {
    it(c.name, () => {
      const roots = buildOutline(c.graph);
      expect(render(roots)).toEqual(c.lines);
      const items = allItems(roots);
      // Every claim somewhere, every key unique, parent links consistent.
      expect(new Set(items.map((i) => i.claim.id))).toEqual(new Set(c.graph.claims.map((x) => x.id)));
      expect(new Set(items.map((i) => i.key)).size).toBe(items.length);
      const byKey = new Map(items.map((i) => [i.key, i]));
      for (const i of items) {
        if (i.parentKey === null) expect(i.depth).toBe(0);
        else expect(byKey.get(i.parentKey)?.children).toContain(i);
      }
    });
  }

  it('stays linear on a dense map with many parents and cycles', () => {
    const n = 60;
    const claims: C[] = Array.from({ length: n }, (_, i) => [`c${i}`, i === 0 ? 'thesis' : 'claim', i]);
    const relations: R[] = [];
    for (let i = 1; i < n; i++)
      for (let j = 0; j < n; j += 7) if (i !== j) relations.push([`r${i}-${j}`, `c${i}`, `c${j}`, j % 2 ? 'attacks' : 'supports']);
    const g = graph(claims, relations);
    const items = allItems(buildOutline(g));
    expect(items.length).toBeLessThanOrEqual(g.claims.length + g.relations.length);
    expect(items.filter((i) => i.marker === 'first').length).toBe(n);
  });

  it('lays out the launch debate under its question', async () => {
    const { AGI_DEBATE } = await import('@/lib/seed/agi');
    const roots = buildOutline(AGI_DEBATE.graph);
    expect(roots.map((r) => r.claim.kind)).toEqual(['question']);
    expect(allItems(roots).filter((i) => i.marker === 'first').length).toBe(AGI_DEBATE.graph.claims.length);
  });
});

describe('visibleItems', () => {
  const g = graph(
    [['t', 'thesis'], ['a'], ['b'], ['c']],
    [
      ['r1', 'a', 't'],
      ['r2', 'b', 'a'],
      ['r3', 'c', 't', 'attacks'],
    ],
  );
  const roots = buildOutline(g);
  const cases: { name: string; open: string[]; ids: string[] }[] = [
    { name: 'all collapsed: only roots', open: [], ids: ['t'] },
    { name: 'root open', open: ['t'], ids: ['t', 'a', 'c'] },
    { name: 'root and first child open', open: ['t', 't/r1'], ids: ['t', 'a', 'b', 'c'] },
    { name: 'a child open under a collapsed root shows nothing more', open: ['t/r1'], ids: ['t'] },
  ];
  for (const c of cases)
    it(c.name, () => {
      const open = new Set(c.open);
      expect(visibleItems(roots, (i) => open.has(i.key)).map((i) => i.claim.id)).toEqual(c.ids);
    });
});
