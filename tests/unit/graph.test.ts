import { describe, expect, it } from 'vitest';
import type { Claim } from '@/lib/model/claim';
import type { Relation, RelationKind } from '@/lib/model/relation';
import { MAX_UNDERCUT_DEPTH, indexGraph, undercutChain, withoutClaims, type ArgumentGraph } from '@/lib/model/graph';

const claim = (id: string): Claim => ({ id, text: id, kind: 'claim', x: 0, y: 0, author: 'a', tags: [], createdAt: 0, updatedAt: 0 });
const rel = (id: string, from: string, to: string, kind: RelationKind = 'supports'): Relation =>
  ({ id, from, to, kind, group: '', author: 'a' }) as Relation;

// t ← a (r1), t ← b (r2, attack), c undercuts r1 (u1), d undercuts u1 (u2), e ← a (r3)
const G: ArgumentGraph = {
  claims: ['t', 'a', 'b', 'c', 'd', 'e'].map(claim),
  relations: [
    rel('r1', 'a', 't'),
    rel('r2', 'b', 't', 'attacks'),
    rel('u1', 'c', 'r1', 'undercuts'),
    rel('u2', 'd', 'u1', 'undercuts'),
    rel('r3', 'e', 'a'),
  ],
};

describe('withoutClaims', () => {
  it.each([
    { hide: [], claims: ['t', 'a', 'b', 'c', 'd', 'e'], relations: ['r1', 'r2', 'u1', 'u2', 'r3'] },
    { hide: ['b'], claims: ['t', 'a', 'c', 'd', 'e'], relations: ['r1', 'u1', 'u2', 'r3'] },
    // Hiding a premise takes its relation, the undercut of that relation and the undercut of the undercut.
    { hide: ['a'], claims: ['t', 'b', 'c', 'd', 'e'], relations: ['r2'] },
    { hide: ['c'], claims: ['t', 'a', 'b', 'd', 'e'], relations: ['r1', 'r2', 'r3'] },
    { hide: ['t'], claims: ['a', 'b', 'c', 'd', 'e'], relations: ['r3'] },
    { hide: ['d', 'e'], claims: ['t', 'a', 'b', 'c'], relations: ['r1', 'r2', 'u1'] },
    { hide: ['zz'], claims: ['t', 'a', 'b', 'c', 'd', 'e'], relations: ['r1', 'r2', 'u1', 'u2', 'r3'] },
  ])('hiding $hide', ({ hide, claims, relations }) => {
    const g = withoutClaims(G, new Set(hide));
    expect(g.claims.map((c) => c.id)).toEqual(claims);
    expect(g.relations.map((r) => r.id)).toEqual(relations);
  });

  it('an undercut cycle with nothing under it is dropped, not looped on', () => {
    const g: ArgumentGraph = {
      claims: [claim('x'), claim('y')],
      relations: [rel('p', 'x', 'q', 'undercuts'), rel('q', 'y', 'p', 'undercuts')],
    };
    expect(withoutClaims(g, new Set(['none'])).relations).toEqual([]);
  });
});

describe('undercutChain', () => {
  const byId = indexGraph(G).relations;
  it.each([
    { target: 'r1', chain: { froms: ['a'], to: 't' } },
    { target: 'r2', chain: { froms: ['b'], to: 't' } },
    // An undercut of u1 lands on u1's line, which itself ends on the middle of r1.
    { target: 'u1', chain: { froms: ['c', 'a'], to: 't' } },
    { target: 'u2', chain: { froms: ['d', 'c', 'a'], to: 't' } },
    { target: 'missing', chain: null },
  ])('undercutting $target', ({ target, chain }) => {
    expect(undercutChain(target, byId)).toEqual(chain);
  });

  it('a chain with a missing link or a cycle has no line to land on', () => {
    const broken = new Map([['u', rel('u', 'c', 'gone', 'undercuts')]]);
    expect(undercutChain('u', broken)).toBeNull();
    const cycle = new Map([
      ['p', rel('p', 'x', 'q', 'undercuts')],
      ['q', rel('q', 'y', 'p', 'undercuts')],
    ]);
    expect(undercutChain('p', cycle)).toBeNull();
  });

  it(`follows at most ${MAX_UNDERCUT_DEPTH} undercuts`, () => {
    const chainOf = (n: number) => {
      const m = new Map([['r0', rel('r0', 'a', 't')]]);
      for (let i = 1; i <= n; i++) m.set(`r${i}`, rel(`r${i}`, `c${i}`, `r${i - 1}`, 'undercuts'));
      return m;
    };
    expect(undercutChain(`r${MAX_UNDERCUT_DEPTH}`, chainOf(MAX_UNDERCUT_DEPTH))?.froms).toHaveLength(MAX_UNDERCUT_DEPTH + 1);
    expect(undercutChain(`r${MAX_UNDERCUT_DEPTH + 1}`, chainOf(MAX_UNDERCUT_DEPTH + 1))).toBeNull();
  });
});
