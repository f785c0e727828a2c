import { describe, expect, it } from 'vitest';
import { DEFAULT_NODE_SIZE, autoLayout, layoutEdges, type LayoutOptions, type Position, type Size } from '@/lib/layout';
import type { Claim, ClaimKind } from '@/lib/model/claim';
import type { ArgumentGraph } from '@/lib/model/graph';
import type { RelationKind } from '@/lib/model/relation';

/*
 * Table-driven tests for lib/layout.ts (STYLE practice 8). Every case is checked against the
 * invariants any layout must keep (every claim placed, whole pixels, no two claims overlapping,
 * pinned claims unmoved, arguments below what they argue about unless a cycle forbids it), then
 * against the case's own expectation.
 */

type C = [id: string, kind?: ClaimKind, x?: number, y?: number];
type R = [id: string, from: string, to: string, kind?: RelationKind];

function graph(claims: C[], relations: R[] = []): ArgumentGraph {
  return {
    claims: claims.map(([id, kind = 'claim', x = 0, y = 0]): Claim => ({
      id,
      kind,
      text: id,
      x,
      y,
      author: 't',
      tags: [],
      createdAt: 1,
      updatedAt: 1,
    })),
    relations: relations.map(([id, from, to, kind = 'supports']) => ({ id, from, to, kind, group: '', author: 't', createdAt: 1 })),
  };
}

interface Case {
  name: string;
  graph: ArgumentGraph;
  opts?: LayoutOptions;
  /** The graph has a cycle: skip the "child below parent" invariant. */
  cyclic?: boolean;
  expect: (pos: Map<string, Position>, g: ArgumentGraph) => void;
}

const at = (pos: Map<string, Position>, id: string): Position => {
  const p = pos.get(id);
  if (!p) throw new Error(`no position for ${id}`);
  return p;
};
const below = (pos: Map<string, Position>, child: string, parent: string) => expect(at(pos, child).y).toBeGreaterThan(at(pos, parent).y);
const sameRow = (pos: Map<string, Position>, ...ids: string[]) => expect(new Set(ids.map((id) => at(pos, id).y)).size).toBe(1);

const cases: Case[] = [
  { name: 'an empty map', graph: graph([]), expect: (pos) => expect(pos.size).toBe(0) },
  {
    name: 'a lone thesis stays where it is',
    graph: graph([['t', 'thesis', 300, 120]]),
    expect: (pos) => expect(at(pos, 't')).toEqual({ x: 300, y: 120 }),
  },
  {
    name: 'a chain: each argument below what it argues about',
    graph: graph(
      [['t', 'thesis'], ['a'], ['b']],
      [
        ['r1', 'a', 't'],
        ['r2', 'b', 'a', 'attacks'],
      ],
    ),
    expect: (pos) => {
      below(pos, 'a', 't');
      below(pos, 'b', 'a');
    },
  },
  {
    name: 'supports and attacks of one thesis share a row',
    graph: graph(
      [['t', 'thesis'], ['pro'], ['con']],
      [
        ['r1', 'pro', 't', 'supports'],
        ['r2', 'con', 't', 'attacks'],
      ],
    ),
    expect: (pos) => sameRow(pos, 'pro', 'con'),
  },
  {
    name: 'a claim with two parents sits below both',
    graph: graph(
      [['t1', 'thesis'], ['t2', 'thesis'], ['c']],
      [
        ['r1', 'c', 't1'],
        ['r2', 'c', 't2', 'attacks'],
      ],
    ),
    expect: (pos) => {
      below(pos, 'c', 't1');
      below(pos, 'c', 't2');
      sameRow(pos, 't1', 't2');
    },
  },
  {
    name: 'a thesis whose only argument is deep in another branch still heads the map',
    graph: graph(
      [['t1', 'thesis'], ['t2', 'thesis'], ['a'], ['b'], ['c']],
      [
        ['r1', 'a', 't1'],
        ['r2', 'b', 'a'],
        ['r3', 'c', 'b'],
        ['r4', 'c', 't2'],
      ],
    ),
    expect: (pos) => sameRow(pos, 't1', 't2'),
  },
  {
    name: 'a parentless question and a thesis share the top row',
    graph: graph(
      [['q', 'question'], ['t', 'thesis'], ['a'], ['b'], ['c']],
      [
        ['r1', 'a', 'q'],
        ['r2', 'b', 'a'],
        ['r3', 'c', 'b'],
        ['r4', 'c', 't'],
      ],
    ),
    expect: (pos) => {
      sameRow(pos, 'q', 't');
      for (const id of ['a', 'b', 'c']) expect(at(pos, id).y).toBeGreaterThan(at(pos, 'q').y);
    },
  },
  {
    name: 'theses answering a question sit below it',
    graph: graph(
      [
        ['q', 'question'],
        ['yes', 'thesis'],
        ['no', 'thesis'],
      ],
      [
        ['r1', 'yes', 'q', 'supports'],
        ['r2', 'no', 'q', 'attacks'],
        ['r3', 'yes', 'no', 'attacks'],
      ],
    ),
    expect: (pos) => {
      below(pos, 'yes', 'q');
      below(pos, 'no', 'q');
      below(pos, 'yes', 'no');
    },
  },
  {
    name: 'an undercut hangs below the premise of the relation it attacks',
    graph: graph(
      [['t', 'thesis'], ['p'], ['u']],
      [
        ['r1', 'p', 't'],
        ['u1', 'u', 'r1', 'undercuts'],
      ],
    ),
    expect: (pos) => {
      below(pos, 'p', 't');
      below(pos, 'u', 'p');
    },
  },
  {
    name: 'an undercut of an undercut hangs below the first undercutter',
    graph: graph(
      [['t', 'thesis'], ['p'], ['u'], ['v']],
      [
        ['r1', 'p', 't'],
        ['u1', 'u', 'r1', 'undercuts'],
        ['u2', 'v', 'u1', 'undercuts'],
      ],
    ),
    expect: (pos) => below(pos, 'v', 'u'),
  },
  {
    name: 'a three-claim cycle: every claim placed, none overlapping',
    cyclic: true,
    graph: graph(
      [['a'], ['b'], ['c']],
      [
        ['r1', 'a', 'b'],
        ['r2', 'b', 'c'],
        ['r3', 'c', 'a', 'attacks'],
      ],
    ),
    expect: (pos) => expect(new Set([...pos.values()].map((p) => p.y)).size).toBeGreaterThan(1),
  },
  {
    name: 'a cycle hanging under a thesis stays below it',
    cyclic: true,
    graph: graph(
      [['t', 'thesis'], ['a'], ['b']],
      [
        ['r1', 'a', 't'],
        ['r2', 'b', 'a'],
        ['r3', 'a', 'b', 'attacks'],
      ],
    ),
    expect: (pos) => {
      below(pos, 'a', 't');
      below(pos, 'b', 't');
    },
  },
  {
    name: 'two claims supporting each other (a 2-cycle) with nothing else',
    cyclic: true,
    graph: graph(
      [['a'], ['b']],
      [
        ['r1', 'a', 'b'],
        ['r2', 'b', 'a'],
      ],
    ),
    expect: (pos) => expect(pos.size).toBe(2),
  },
  {
    name: 'self-loops, duplicate and dangling relations are ignored',
    graph: graph(
      [['t', 'thesis'], ['a']],
      [
        ['r1', 'a', 't'],
        ['r2', 'a', 't', 'attacks'],
        ['r3', 't', 't'],
        ['r4', 'a', 'gone'],
        ['u1', 'a', 'no-such-relation', 'undercuts'],
      ],
    ),
    expect: (pos) => below(pos, 'a', 't'),
  },
  {
    name: 'one pinned claim: it stays put and the rest is laid out around it',
    graph: graph(
      [
        ['t', 'thesis', 5000, -3000],
        ['a', 'claim', 1, 1],
        ['b', 'claim', 2, 2],
      ],
      [
        ['r1', 'a', 't'],
        ['r2', 'b', 't', 'attacks'],
      ],
    ),
    opts: { pinned: new Set(['t']) },
    expect: (pos, g) => {
      // The same layout as without the pin, translated so that t is where it was.
      const free = autoLayout(g);
      const d = { x: 5000 - at(free, 't').x, y: -3000 - at(free, 't').y };
      for (const id of ['a', 'b']) expect(at(pos, id)).toEqual({ x: at(free, id).x + d.x, y: at(free, id).y + d.y });
    },
  },
  {
    name: 'a pinned child keeps its place; its parent is laid out above it',
    graph: graph(
      [
        ['t', 'thesis', 0, 0],
        ['a', 'claim', 400, 900],
      ],
      [['r1', 'a', 't']],
    ),
    opts: { pinned: new Set(['a']) },
    expect: (pos) => below(pos, 'a', 't'),
  },
  {
    name: 'two pinned claims in an arrangement dagre would not choose: free claims avoid them',
    graph: graph(
      [
        ['t', 'thesis', 0, 0],
        ['a', 'claim', 0, 0],
        ['b', 'claim', 0, 0],
        ['c', 'claim', 300, 200],
        ['d', 'claim', 0, 0],
      ],
      [
        ['r1', 'a', 't'],
        ['r2', 'b', 't'],
        ['r3', 'c', 't'],
        ['r4', 'd', 't'],
      ],
    ),
    opts: { pinned: new Set(['t', 'c']) },
    expect: () => undefined,
  },
  {
    name: 'pinned ids that are not claims are ignored',
    graph: graph([['t', 'thesis', 40, 60]]),
    opts: { pinned: new Set(['nope']) },
    expect: (pos) => expect(at(pos, 't')).toEqual({ x: 40, y: 60 }),
  },
  {
    name: 'per-claim sizes: a tall claim pushes the next row down',
    graph: graph(
      [['t', 'thesis'], ['tall'], ['short'], ['leaf']],
      [
        ['r1', 'tall', 't'],
        ['r2', 'short', 't'],
        ['r3', 'leaf', 'short'],
      ],
    ),
    opts: { nodeSize: (id) => (id === 'tall' ? { width: 300, height: 400 } : { width: 200, height: 80 }) },
    expect: (pos) => expect(at(pos, 'leaf').y).toBeGreaterThanOrEqual(at(pos, 'tall').y + 400),
  },
];

function sizeFn(opts: LayoutOptions | undefined): (id: string) => Size {
  const s = opts?.nodeSize;
  return (id) => (typeof s === 'function' ? (s(id) ?? DEFAULT_NODE_SIZE) : (s ?? DEFAULT_NODE_SIZE));
}

function checkInvariants(c: Case, pos: Map<string, Position>): void {
  const g = c.graph;
  expect([...pos.keys()].sort()).toEqual(g.claims.map((x) => x.id).sort());
  for (const p of pos.values()) {
    expect(Number.isInteger(p.x) && Number.isInteger(p.y)).toBe(true);
  }
  const size = sizeFn(c.opts);
  const ids = [...pos.keys()];
  for (let i = 0; i < ids.length; i++)
    for (let j = i + 1; j < ids.length; j++) {
      const [a, b] = [ids[i]!, ids[j]!];
      const [pa, pb, sa, sb] = [at(pos, a), at(pos, b), size(a), size(b)];
      const overlap = pa.x < pb.x + sb.width && pb.x < pa.x + sa.width && pa.y < pb.y + sb.height && pb.y < pa.y + sa.height;
      expect(overlap, `${a} overlaps ${b}`).toBe(false);
    }
  for (const id of c.opts?.pinned ?? []) {
    const claim = g.claims.find((x) => x.id === id);
    if (claim) expect(at(pos, id)).toEqual({ x: claim.x, y: claim.y });
  }
  if (!c.cyclic && (c.opts?.pinned?.size ?? 0) < 2)
    for (const [parent, child] of layoutEdges(g)) expect(at(pos, child).y, `${child} below ${parent}`).toBeGreaterThan(at(pos, parent).y);
}

describe('autoLayout', () => {
  for (const c of cases) {
    it(c.name, () => {
      const pos = autoLayout(c.graph, c.opts);
      checkInvariants(c, pos);
      c.expect(pos, c.graph);
    });
  }

  it('does not depend on the order of claims and relations in the document', () => {
    for (const c of cases) {
      const reversed: ArgumentGraph = { claims: [...c.graph.claims].reverse(), relations: [...c.graph.relations].reverse() };
      expect(autoLayout(reversed, c.opts), c.name).toEqual(autoLayout(c.graph, c.opts));
    }
  });

  it('lays out the launch debate with every claim below what it argues about', async () => {
    const { AGI_DEBATE } = await import('@/lib/seed/agi');
    const g = AGI_DEBATE.graph;
    const pos = autoLayout(g);
    checkInvariants({ name: 'agi', graph: g, expect: () => undefined }, pos);
  });
});

describe('layoutEdges', () => {
  it('maps relations to parent → child pairs, undercuts to the premise of their relation', () => {
    const g = graph(
      [['t'], ['p'], ['u']],
      [
        ['r1', 'p', 't'],
        ['u1', 'u', 'r1', 'undercuts'],
      ],
    );
    expect(layoutEdges(g)).toEqual([
      ['t', 'p'],
      ['p', 'u'],
    ]);
  });
});
