import { describe, expect, it } from 'vitest';
import type { Claim } from '@/lib/model/claim';
import type { ArgumentGraph } from '@/lib/model/graph';
import type { Relation, RelationKind } from '@/lib/model/relation';
import { compileGraph } from '@/lib/scoring/compile';
import { findCruxes, polarisation } from '@/lib/scoring/crux';
import { explainClaim } from '@/lib/scoring/explain';
import { aggregate, baseScore, dfquadCombine, pooledWeight, quadraticEnergyCombine } from '@/lib/scoring/formulas';
import { evaluate, loadParameters, scoreGraph, scoreOf, scoresById } from '@/lib/scoring/score';
import { baseSensitivity } from '@/lib/scoring/sensitivity';
import type { CredibilityTally, ScoringOptions, VoteTally } from '@/lib/scoring/types';

/*
 * Hand-computed cases for lib/scoring. Every expected number has its arithmetic next to it.
 * Agreement votes are given as distributions over 0..4; τ = mean / 4.
 */

type Dist = [number, number, number, number, number];
type Rel = [id: string, from: string, to: string, kind: RelationKind, group?: string];

function votes(distribution: Dist): VoteTally {
  let n = 0;
  let sum = 0;
  distribution.forEach((k, v) => {
    n += k;
    sum += k * v;
  });
  return { count: n, mean: n > 0 ? sum / n : 0, distribution };
}

// Distributions for the base scores used below.
const T0 = votes([1, 0, 0, 0, 0]); // mean 0 → τ 0
const T25 = votes([0, 1, 0, 0, 0]); // mean 1 → τ 0.25
const T50 = votes([0, 0, 1, 0, 0]); // mean 2 → τ 0.5
const T60 = votes([0, 0, 3, 2, 0]); // (3·2 + 2·3)/5 = 2.4 → τ 0.6
const T75 = votes([0, 0, 0, 1, 0]); // mean 3 → τ 0.75
const T80 = votes([0, 0, 0, 4, 1]); // (4·3 + 4)/5 = 3.2 → τ 0.8
const T100 = votes([0, 0, 0, 0, 1]); // mean 4 → τ 1

function claim(id: string): Claim {
  return { id, text: id, kind: 'claim', x: 0, y: 0, author: 'test', tags: [], createdAt: 0, updatedAt: 0 };
}

function relation([id, from, to, kind, group = '']: Rel): Relation {
  return { id, from, to, kind, group, author: 'test', createdAt: 0 };
}

function graphOf(claims: readonly string[], relations: readonly Rel[]): ArgumentGraph {
  return { claims: claims.map(claim), relations: relations.map(relation) };
}

interface Case {
  name: string;
  /** Claims and their agreement votes (null: no votes). */
  claims: Record<string, VoteTally | null>;
  relations: Rel[];
  impact?: Record<string, VoteTally>;
  credibility?: Record<string, CredibilityTally>;
  expected: Record<string, number>;
}

function run(c: Case, options: ScoringOptions = {}) {
  const agreement: Record<string, VoteTally> = {};
  for (const [id, t] of Object.entries(c.claims)) if (t !== null) agreement[id] = t;
  return scoreGraph(
    { graph: graphOf(Object.keys(c.claims), c.relations), agreement, impact: c.impact, credibility: c.credibility },
    options,
  );
}

describe('formulas', () => {
  it.each<[string, number[], number]>([
    ['F() = 0', [], 0],
    ['F(0.5) = 0.5', [0.5], 0.5],
    ['F(0.5, 0.5) = 1 − 0.5·0.5 = 0.75', [0.5, 0.5], 0.75],
    ['F(0.2, 0.5, 1) = 1 − 0.8·0.5·0 = 1', [0.2, 0.5, 1], 1],
  ])('aggregate: %s', (_name, values, expected) => {
    expect(aggregate(values)).toBeCloseTo(expected, 12);
  });

  it.each<[string, number, number, number, number]>([
    ['va = vs keeps v0', 0.3, 0.4, 0.4, 0.3],
    ['va > vs: 0.5 − 0.5·|0.2 − 0.6| = 0.3', 0.5, 0.6, 0.2, 0.3],
    ['va < vs: 0.5 + 0.5·|0.8 − 0.2| = 0.8', 0.5, 0.2, 0.8, 0.8],
    ['full attack on τ 1: 1 − 1·1 = 0', 1, 1, 0, 0],
    ['full support on τ 0: 0 + 1·1 = 1', 0, 0, 1, 1],
  ])('dfquadCombine: %s', (_name, v0, va, vs, expected) => {
    expect(dfquadCombine(v0, va, vs)).toBeCloseTo(expected, 12);
  });

  it.each<[string, number, number, number]>([
    ['E = 0 keeps τ', 0.3, 0, 0.3],
    ['E = 1: h = 1/2, 0.5 + 0.5·0.5 = 0.75', 0.5, 1, 0.75],
    ['E = −1: 0.5 − 0.5·0.5 = 0.25', 0.5, -1, 0.25],
    ['E = 2: h = 4/5, 0.25 + 0.75·0.8 = 0.85', 0.25, 2, 0.85],
  ])('quadraticEnergyCombine: %s', (_name, tau, e, expected) => {
    expect(quadraticEnergyCombine(tau, e)).toBeCloseTo(expected, 12);
  });

  it.each<[string, VoteTally | undefined, CredibilityTally | undefined, number]>([
    ['no votes, no sources: 0.5', undefined, undefined, 0.5],
    ['zero-count tally is no votes', { count: 0, mean: 3, distribution: [0, 0, 0, 0, 0] }, undefined, 0.5],
    ['mean 3 → 0.75', T75, undefined, 0.75],
    ['out-of-range mean clamps: 9/4 → 1', { count: 1, mean: 9, distribution: [0, 0, 0, 0, 1] }, undefined, 1],
    // c = (5 − 1)/4 = 1, conf = 2/(2 + 2) = 0.5, nudge = 0.2·0.5·(1 − 0.5)·(1 − |1 − 1|) = 0.05.
    ['no votes, two top-rated sources: 0.5 + 0.05', undefined, { count: 2, mean: 5 }, 0.55],
    // c = 0, conf = 6/8 = 0.75, 1 − |2·0.25 − 1| = 0.5: nudge = 0.2·0.75·(−0.5)·0.5 = −0.0375.
    ['τ 0.25, six poor sources: 0.25 − 0.0375', T25, { count: 6, mean: 1 }, 0.2125],
    // 1 − |2·1 − 1| = 0: a unanimous vote is never overridden by sources.
    ['τ 1 is not nudged', T100, { count: 50, mean: 1 }, 1],
    ['sources without ratings do not nudge', T25, { count: 0, mean: 5 }, 0.25],
    // c = (3 − 1)/4 = 0.5: middling sources are neutral.
    ['middling sources are neutral', T25, { count: 10, mean: 3 }, 0.25],
  ])('baseScore: %s', (_name, agreement, credibility, expected) => {
    expect(baseScore(agreement, credibility, 0.2, 2)).toBeCloseTo(expected, 12);
  });

  it.each<[string, Array<{ count: number; mean: number } | undefined>, number]>([
    ['no impact votes: weight 1', [undefined, undefined], 1],
    ['mean 2 → 0.5', [{ count: 3, mean: 2 }], 0.5],
    // (4·1 + 0·3) / (1 + 3) / 4 = 0.25
    [
      'pooled over a group: (4·1 + 0·3)/4/4',
      [
        { count: 1, mean: 4 },
        { count: 3, mean: 0 },
      ],
      0.25,
    ],
  ])('pooledWeight: %s', (_name, tallies, expected) => {
    expect(pooledWeight(tallies)).toBeCloseTo(expected, 12);
  });
});

const dfquadCases: Case[] = [
  { name: 'lone claim, no votes', claims: { T: null }, relations: [], expected: { T: 0.5 } },
  { name: 'lone claim, votes', claims: { T: T75 }, relations: [], expected: { T: 0.75 } },
  {
    // vs = 0.8, va = 0: 0.5 + 0.5·0.8 = 0.9
    name: 'one supporter',
    claims: { T: T50, A: T80 },
    relations: [['r1', 'A', 'T', 'supports']],
    expected: { T: 0.9, A: 0.8 },
  },
  {
    // va = 0.6: 0.5 − 0.5·0.6 = 0.2
    name: 'one attacker',
    claims: { T: T50, B: T60 },
    relations: [['r1', 'B', 'T', 'attacks']],
    expected: { T: 0.2 },
  },
  {
    // vs = 0.8, va = 0.6: 0.5 + 0.5·0.2 = 0.6
    name: 'supporter and attacker',
    claims: { T: T50, A: T80, B: T60 },
    relations: [
      ['r1', 'A', 'T', 'supports'],
      ['r2', 'B', 'T', 'attacks'],
    ],
    expected: { T: 0.6 },
  },
  {
    // vs = 1 − 0.5·0.5 = 0.75: 0.25 + 0.75·0.75 = 0.8125
    name: 'two supporters aggregate probabilistically',
    claims: { T: T25, A: T50, B: T50 },
    relations: [
      ['r1', 'A', 'T', 'supports'],
      ['r2', 'B', 'T', 'supports'],
    ],
    expected: { T: 0.8125 },
  },
  {
    // weight = 2/4 = 0.5, contribution 0.8·0.5 = 0.4: 0.5 + 0.5·0.4 = 0.7
    name: 'impact votes scale the contribution',
    claims: { T: T50, A: T80 },
    relations: [['r1', 'A', 'T', 'supports']],
    impact: { r1: T50 },
    expected: { T: 0.7 },
  },
  {
    // undercut contribution 0.5·1 = 0.5, weight 1·(1 − 0.5) = 0.5, contribution 0.8·0.5 = 0.4:
    // 0.5 + 0.5·0.4 = 0.7
    name: 'an undercut halves the inference',
    claims: { T: T50, A: T80, U: T50 },
    relations: [
      ['r1', 'A', 'T', 'supports'],
      ['u1', 'U', 'r1', 'undercuts'],
    ],
    expected: { T: 0.7, U: 0.5 },
  },
  {
    // u2 = 0.5; w'(u1) = 1 − 0.5 = 0.5, u1 = 1·0.5 = 0.5; w'(r1) = 1 − 0.5 = 0.5, r1 = 0.4;
    // 0.5 + 0.5·0.4 = 0.7
    name: 'an undercut of an undercut restores half of it',
    claims: { T: T50, A: T80, U: T100, V: T50 },
    relations: [
      ['r1', 'A', 'T', 'supports'],
      ['u1', 'U', 'r1', 'undercuts'],
      ['u2', 'V', 'u1', 'undercuts'],
    ],
    expected: { T: 0.7 },
  },
  {
    // linked: 0.8·0.5 = 0.4, weight 1: 0.5 + 0.5·0.4 = 0.7 (independent would give
    // vs = 1 − 0.2·0.5 = 0.9 → 0.95)
    name: 'co-premises count once, as a product',
    claims: { T: T50, A: T80, B: T50 },
    relations: [
      ['r1', 'A', 'T', 'supports', 'g'],
      ['r2', 'B', 'T', 'supports', 'g'],
    ],
    expected: { T: 0.7 },
  },
  {
    // pooled weight (4·1 + 0·3)/4/4 = 0.25, contribution 0.4·0.25 = 0.1: 0.5 + 0.5·0.1 = 0.55
    name: 'a linked group pools its impact votes',
    claims: { T: T50, A: T80, B: T50 },
    relations: [
      ['r1', 'A', 'T', 'supports', 'g'],
      ['r2', 'B', 'T', 'supports', 'g'],
    ],
    impact: { r1: T100, r2: votes([3, 0, 0, 0, 0]) },
    expected: { T: 0.55 },
  },
  {
    // undercutting one member undercuts the group: w' = 1·(1 − 1) = 0, so T keeps τ
    name: 'undercutting one co-premise link undercuts the group',
    claims: { T: T50, A: T80, B: T50, U: T100 },
    relations: [
      ['r1', 'A', 'T', 'supports', 'g'],
      ['r2', 'B', 'T', 'supports', 'g'],
      ['u1', 'U', 'r2', 'undercuts'],
    ],
    expected: { T: 0.5 },
  },
  {
    // the same group id on a different target, or another kind, is another argument:
    // T: vs = 0.8 → 0.9; S: va = 0.5 → 0.5 − 0.5·0.5 = 0.25
    name: 'group ids are scoped by target and kind',
    claims: { T: T50, S: T50, A: T80, B: T50 },
    relations: [
      ['r1', 'A', 'T', 'supports', 'g'],
      ['r2', 'B', 'S', 'attacks', 'g'],
    ],
    expected: { T: 0.9, S: 0.25 },
  },
  {
    // C: τ 1; B = 0.5 − 0.5·1 = 0; A = 0.5 + 0.5·0 = 0.5
    name: 'a defeated supporter adds nothing',
    claims: { A: T50, B: T50, C: T100 },
    relations: [
      ['r1', 'B', 'A', 'supports'],
      ['r2', 'C', 'B', 'attacks'],
    ],
    expected: { A: 0.5, B: 0 },
  },
  {
    // τ 0 with a supporter of 1: 0 + 1·1 = 1 (DF-QuAD lets arguments override base scores)
    name: 'full support lifts τ 0 to 1',
    claims: { T: T0, A: T100 },
    relations: [['r1', 'A', 'T', 'supports']],
    expected: { T: 1 },
  },
  {
    // no votes, sources: 0.55 (see baseScore); vs = 0.8 → 0.55 + 0.45·0.8 = 0.91
    name: 'credibility nudges the base, arguments act on the nudged base',
    claims: { T: null, A: T80 },
    relations: [['r1', 'A', 'T', 'supports']],
    credibility: { T: { count: 2, mean: 5 } },
    expected: { T: 0.91 },
  },
  {
    // r2 points at a claim that does not exist and u1 at r2: both ignored, T = 0.9
    name: 'dangling relations are ignored',
    claims: { T: T50, A: T80 },
    relations: [
      ['r1', 'A', 'T', 'supports'],
      ['r2', 'A', 'missing', 'attacks'],
      ['u1', 'A', 'r2', 'undercuts'],
    ],
    expected: { T: 0.9 },
  },
];

describe('DF-QuAD, hand-computed', () => {
  it.each(dfquadCases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const result = run(c, { semantics: 'dfquad' });
    for (const [id, expected] of Object.entries(c.expected)) expect(scoreOf(result, id), id).toBeCloseTo(expected, 12);
    expect(result.converged).toBe(true);
    expect(result.iterations).toBe(0);
    expect(result.cycles).toEqual([]);
  });
});

const energyCases: Case[] = [
  {
    // E = 0.8, h = 0.64/1.64 = 0.390244: 0.5 + 0.5·0.390244 = 0.695122
    name: 'one supporter',
    claims: { T: T50, A: T80 },
    relations: [['r1', 'A', 'T', 'supports']],
    expected: { T: 0.5 + 0.5 * (0.64 / 1.64) },
  },
  {
    // E = −0.6, h = 0.36/1.36 = 0.264706: 0.5 − 0.5·0.264706 = 0.367647
    name: 'one attacker',
    claims: { T: T50, B: T60 },
    relations: [['r1', 'B', 'T', 'attacks']],
    expected: { T: 0.5 - 0.5 * (0.36 / 1.36) },
  },
  {
    // E = 0.8 − 0.6 = 0.2, h = 0.04/1.04: 0.5 + 0.5·0.038462 = 0.519231
    name: 'supporter and attacker',
    claims: { T: T50, A: T80, B: T60 },
    relations: [
      ['r1', 'A', 'T', 'supports'],
      ['r2', 'B', 'T', 'attacks'],
    ],
    expected: { T: 0.5 + 0.5 * (0.04 / 1.04) },
  },
  {
    // E = 0.5 + 0.5 = 1, h = 0.5: 0.25 + 0.75·0.5 = 0.625
    name: 'two supporters add energy',
    claims: { T: T25, A: T50, B: T50 },
    relations: [
      ['r1', 'A', 'T', 'supports'],
      ['r2', 'B', 'T', 'supports'],
    ],
    expected: { T: 0.625 },
  },
  {
    // contribution 0.8·0.5 (impact) ·(1 − 0.5) (undercut) = 0.2, h = 0.04/1.04: 0.519231
    name: 'impact and undercut scale the weight',
    claims: { T: T50, A: T80, U: T50 },
    relations: [
      ['r1', 'A', 'T', 'supports'],
      ['u1', 'U', 'r1', 'undercuts'],
    ],
    impact: { r1: T50 },
    expected: { T: 0.5 + 0.5 * (0.04 / 1.04) },
  },
  {
    // linked: 0.8·0.5 = 0.4, h = 0.16/1.16: 0.5 + 0.5·0.137931 = 0.568966
    name: 'co-premises count once',
    claims: { T: T50, A: T80, B: T50 },
    relations: [
      ['r1', 'A', 'T', 'supports', 'g'],
      ['r2', 'B', 'T', 'supports', 'g'],
    ],
    expected: { T: 0.5 + 0.5 * (0.16 / 1.16) },
  },
];

describe('quadratic energy, hand-computed', () => {
  it.each(energyCases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const result = run(c, { semantics: 'quadratic-energy' });
    for (const [id, expected] of Object.entries(c.expected)) expect(scoreOf(result, id), id).toBeCloseTo(expected, 12);
    expect(result.cycles).toEqual([]);
  });
});

describe('cycles', () => {
  it('mutual attack between two certain claims settles at the symmetric point and is reported', () => {
    // σA = 1 − σB, σB = 1 − σA has a line of fixed points; damped Jacobi from (1, 1) keeps the
    // symmetry and lands on 0.5 each, whatever order the claims are stored in.
    for (const order of [
      ['A', 'B'],
      ['B', 'A'],
    ]) {
      const result = run({
        name: 'mutual attack',
        claims: Object.fromEntries(order.map((id) => [id, T100])),
        relations: [
          ['r1', 'A', 'B', 'attacks'],
          ['r2', 'B', 'A', 'attacks'],
        ],
        expected: {},
      });
      expect(scoreOf(result, 'A')).toBeCloseTo(0.5, 8);
      expect(scoreOf(result, 'B')).toBeCloseTo(0.5, 8);
      expect(result.converged).toBe(true);
      expect(result.cycles).toHaveLength(1);
      expect([...result.cycles[0]!.claimIds].sort()).toEqual(['A', 'B']);
      expect([...result.cycles[0]!.relationIds].sort()).toEqual(['r1', 'r2']);
      expect(result.cycles[0]!.residual).toBeLessThanOrEqual(1e-9);
    }
  });

  it.each<[string, ScoringOptions['semantics'], (s: number) => number]>([
    // DF-QuAD: σ = 0.5 + 0.5·σ → σ = 1
    ['dfquad', 'dfquad', (s) => 0.5 + 0.5 * s],
    // quadratic energy: σ = 0.5 + 0.5·σ²/(1 + σ²)
    ['quadratic energy', 'quadratic-energy', (s) => 0.5 + (0.5 * s * s) / (1 + s * s)],
  ])('a self-supporting claim reaches its fixed point (%s)', (_name, semantics, f) => {
    const result = run({ name: 'self', claims: { A: T50 }, relations: [['r1', 'A', 'A', 'supports']], expected: {} }, { semantics });
    const s = scoreOf(result, 'A')!;
    expect(Math.abs(f(s) - s)).toBeLessThan(1e-8);
    expect(result.cycles).toEqual([expect.objectContaining({ claimIds: ['A'], relationIds: ['r1'], converged: true })]);
    expect(result.iterations).toBeGreaterThan(1);
  });

  it('reports non-convergence when the iteration cap is hit', () => {
    const result = run({ name: 'self', claims: { A: T50 }, relations: [['r1', 'A', 'A', 'supports']], expected: {} }, { maxIterations: 3 });
    expect(result.converged).toBe(false);
    expect(result.iterations).toBe(3);
    expect(result.cycles[0]!.converged).toBe(false);
  });

  it('claims downstream of a cycle are scored once, from its fixed point', () => {
    // The cycle A ↔ B settles at 0.5 each (above); T ← A: 0.5 + 0.5·0.5 = 0.75.
    const result = run({
      name: 'downstream',
      claims: { T: T50, A: T100, B: T100 },
      relations: [
        ['r1', 'A', 'B', 'attacks'],
        ['r2', 'B', 'A', 'attacks'],
        ['r3', 'A', 'T', 'supports'],
      ],
      expected: {},
    });
    expect(scoreOf(result, 'T')).toBeCloseTo(0.75, 8);
    expect(result.cycles).toHaveLength(1);
  });

  it('an undercut that closes a loop through an inference is a cycle', () => {
    // T ← A (r1); T undercuts r1. Nothing here is a claim-to-claim loop, but r1's weight depends
    // on T, which depends on r1.
    const result = run({
      name: 'undercut loop',
      claims: { T: T50, A: T80 },
      relations: [
        ['r1', 'A', 'T', 'supports'],
        ['u1', 'T', 'r1', 'undercuts'],
      ],
      expected: {},
    });
    expect(result.converged).toBe(true);
    expect(result.cycles).toHaveLength(1);
    expect([...result.cycles[0]!.relationIds].sort()).toEqual(['r1', 'u1']);
    // Fixed point: T = 0.5 + 0.5·0.8·(1 − T) → T = 0.9/1.4 = 0.642857
    expect(scoreOf(result, 'T')).toBeCloseTo(0.9 / 1.4, 8);
  });
});

describe('inputs', () => {
  const c: Case = {
    name: 'tables',
    claims: { T: T50, constructor: T80 },
    relations: [['r1', 'constructor', 'T', 'supports']],
    expected: {},
  };

  it('accepts tallies as Maps or plain objects, and ids that are Object.prototype keys', () => {
    const graph = graphOf(['T', 'constructor'], c.relations);
    const fromRecord = scoreGraph({ graph, agreement: { T: T50, constructor: T80 } });
    const fromMap = scoreGraph({ graph, agreement: new Map([['T', T50]]) });
    // constructor has no votes in the Map: τ 0.5 → T = 0.5 + 0.5·0.5 = 0.75; with 0.8 → 0.9.
    expect(scoreOf(fromRecord, 'T')).toBeCloseTo(0.9, 12);
    expect(scoreOf(fromMap, 'T')).toBeCloseTo(0.75, 12);
    // An inherited key is not a tally.
    expect(scoreOf(scoreGraph({ graph, agreement: {} }), 'constructor')).toBe(0.5);
  });

  it('re-scores a compiled graph when only votes change', () => {
    const graph = graphOf(['T', 'A'], [['r1', 'A', 'T', 'supports']]);
    const g = compileGraph(graph);
    const before = evaluate(g, loadParameters(g, { agreement: { T: T50, A: T80 } }));
    const after = evaluate(g, loadParameters(g, { agreement: { T: T50, A: T0 } }));
    expect(before.scores[g.claimIndex.get('T')!]).toBeCloseTo(0.9, 12);
    expect(after.scores[g.claimIndex.get('T')!]).toBeCloseTo(0.5, 12);
    expect(scoresById(after)).toEqual(
      new Map([
        ['T', 0.5],
        ['A', 0],
      ]),
    );
  });

  it('ignores duplicate ids (first wins), unknown kinds and undercut rings without crashing', () => {
    const graph = graphOf(
      ['T', 'A', 'T'],
      [
        ['r1', 'A', 'T', 'supports'],
        ['r1', 'A', 'T', 'attacks'],
        ['r2', 'A', 'T', 'bogus' as RelationKind],
        ['u1', 'A', 'u2', 'undercuts'],
        ['u2', 'A', 'u1', 'undercuts'],
      ],
    );
    const result = scoreGraph({ graph, agreement: { T: T50, A: T80 } });
    expect(result.graph.claimIds).toEqual(['T', 'A']);
    expect(result.graph.ignoredRelationIds).toEqual(['r1', 'r2']);
    expect(scoreOf(result, 'T')).toBeCloseTo(0.9, 12);
    // The ring of undercuts moves no claim but is still a cycle.
    expect(result.cycles).toEqual([expect.objectContaining({ claimIds: [], converged: true })]);
  });

  it.each<[string, ScoringOptions]>([
    ['unknown semantics', { semantics: 'h-categorizer' as 'dfquad' }],
    ['zero tolerance', { tolerance: 0 }],
    ['fractional iteration cap', { maxIterations: 2.5 }],
    ['step above 1', { step: 1.5 }],
    ['credibility weight above 1', { credibilityWeight: 2 }],
  ])('rejects %s', (_name, options) => {
    expect(() => scoreGraph({ graph: graphOf(['T'], []) }, options)).toThrow(RangeError);
  });
});

describe('explanation', () => {
  const c: Case = {
    name: 'explained',
    claims: { T: T50, A: T80, B: T60, U: T50 },
    relations: [
      ['r1', 'A', 'T', 'supports'],
      ['r2', 'B', 'T', 'attacks'],
      ['u1', 'U', 'r2', 'undercuts'],
    ],
    impact: { r1: votes([0, 0, 0, 0, 2]) },
    credibility: { T: { count: 0, mean: 5 } },
    expected: {},
  };

  it('DF-QuAD: base, aggregates, exact shares and leave-one-out scores', () => {
    const e = explainClaim(run(c, { semantics: 'dfquad' }), 'T')!;
    // r1: 0.8·1 = 0.8. r2: undercut 0.5 → weight 0.5, contribution 0.6·0.5 = 0.3.
    // vs = 0.8, va = 0.3: T = 0.5 + 0.5·0.5 = 0.75. k = 1 − 0.5 = 0.5.
    expect(e.score).toBeCloseTo(0.75, 12);
    expect(e.base).toEqual({ score: 0.5, votes: { count: 1, mean: 2 }, fromVotes: 0.5, credibility: null });
    expect(e.supportAggregate).toBeCloseTo(0.8, 12);
    expect(e.attackAggregate).toBeCloseTo(0.3, 12);
    const [first, second] = e.arguments;
    // share(r1) = k·vs = 0.4; share(r2) = −k·va = −0.15; 0.5 + 0.4 − 0.15 = 0.75.
    expect(first).toMatchObject({ kind: 'supports', relationIds: ['r1'], impact: { count: 2, mean: 4 }, baseWeight: 1 });
    expect(first!.share).toBeCloseTo(0.4, 12);
    // Without r1: C(0.5, 0.3, 0) = 0.35. Without r2: C(0.5, 0, 0.8) = 0.9.
    expect(first!.scoreWithout).toBeCloseTo(0.35, 12);
    expect(second).toMatchObject({ kind: 'attacks', relationIds: ['r2'], impact: null, baseWeight: 1 });
    expect(second!.share).toBeCloseTo(-0.15, 12);
    expect(second!.scoreWithout).toBeCloseTo(0.9, 12);
    expect(second!.undercut).toBeCloseTo(0.5, 12);
    expect(second!.weight).toBeCloseTo(0.5, 12);
    expect(second!.undercuts).toEqual([
      { relationIds: ['u1'], group: '', premises: [{ claimId: 'U', score: 0.5 }], weight: 1, contribution: 0.5 },
    ]);
    expect(Math.abs(e.unexplained)).toBeLessThan(1e-12);
    expect(e.inCycle).toBe(false);
  });

  it('DF-QuAD shares split one side in proportion to −ln(1 − v)', () => {
    // Supporters 0.5 and 0.75 on τ 0: vs = 1 − 0.5·0.25 = 0.875, k = 1, T = 0.875.
    // −ln 0.5 = 0.693, −ln 0.25 = 1.386: shares 0.875·(1/3) and 0.875·(2/3).
    const e = explainClaim(
      run({
        name: 'split',
        claims: { T: T0, A: T50, B: T75 },
        relations: [
          ['r1', 'A', 'T', 'supports'],
          ['r2', 'B', 'T', 'supports'],
        ],
        expected: {},
      }),
      'T',
    )!;
    expect(e.arguments.map((a) => a.relationIds[0])).toEqual(['r2', 'r1']);
    expect(e.arguments[0]!.share).toBeCloseTo(0.875 * (2 / 3), 12);
    expect(e.arguments[1]!.share).toBeCloseTo(0.875 / 3, 12);
  });

  it('quadratic energy: shares are proportional to signed energy', () => {
    const e = explainClaim(run(c, { semantics: 'quadratic-energy' }), 'T')!;
    // E = 0.8 − 0.3 = 0.5, h = 0.25/1.25 = 0.2: T = 0.5 + 0.5·0.2 = 0.6, Δ = 0.1.
    // share(r1) = 0.1·0.8/0.5 = 0.16; share(r2) = 0.1·(−0.3)/0.5 = −0.06.
    expect(e.score).toBeCloseTo(0.6, 12);
    expect(e.supportAggregate).toBeCloseTo(0.8, 12);
    expect(e.attackAggregate).toBeCloseTo(0.3, 12);
    expect(e.arguments.map((a) => a.share)).toEqual([expect.closeTo(0.16, 12), expect.closeTo(-0.06, 12)]);
    // Without r1: E = −0.3, h = 0.09/1.09: 0.5 − 0.5·0.082569 = 0.458716.
    expect(e.arguments[0]!.scoreWithout).toBeCloseTo(0.5 - 0.5 * (0.09 / 1.09), 12);
  });

  it('quotes the credibility nudge and linked premises', () => {
    const e = explainClaim(
      run({
        name: 'linked',
        claims: { T: null, A: T80, B: T50 },
        relations: [
          ['r1', 'A', 'T', 'supports', 'g'],
          ['r2', 'B', 'T', 'supports', 'g'],
        ],
        credibility: { T: { count: 2, mean: 5 } },
        expected: {},
      }),
      'T',
    )!;
    expect(e.base).toEqual({
      score: 0.55,
      votes: null,
      fromVotes: 0.5,
      credibility: { count: 2, mean: 5, nudge: expect.closeTo(0.05, 12) },
    });
    expect(e.arguments).toHaveLength(1);
    expect(e.arguments[0]).toMatchObject({
      group: 'g',
      relationIds: ['r1', 'r2'],
      premises: [
        { claimId: 'A', score: 0.8 },
        { claimId: 'B', score: 0.5 },
      ],
    });
    expect(e.arguments[0]!.premiseStrength).toBeCloseTo(0.4, 12);
  });

  it('returns undefined for an unknown claim', () => {
    expect(explainClaim(run(c), 'nope')).toBeUndefined();
  });
});

describe('sensitivity', () => {
  it('matches the chain rule on a hand-computed chain', () => {
    // T ← A ← B (supports), τ 0.5 each, DF-QuAD.
    // A = 0.5 + 0.5·B, T = 0.5 + 0.5·A. ∂T/∂τ_B = 0.5·(∂A/∂B = 0.5)·(∂B/∂τ_B = 1) = 0.25.
    // ∂T/∂τ_A = 0.5·(1 − |vs − va| = 1 − 0.5) = 0.25. ∂T/∂τ_T = 1 − A = 1 − 0.75 = 0.25.
    const result = run({
      name: 'chain',
      claims: { T: T50, A: T50, B: T50 },
      relations: [
        ['r1', 'A', 'T', 'supports'],
        ['r2', 'B', 'A', 'supports'],
      ],
      expected: {},
    });
    const s = baseSensitivity(result, 'T')!;
    expect([...s.values]).toEqual([expect.closeTo(0.25, 12), expect.closeTo(0.25, 12), expect.closeTo(0.25, 12)]);
    expect(baseSensitivity(result, 'nope')).toBeUndefined();
  });
});

describe('crux finder', () => {
  it.each<[string, Dist, number]>([
    ['consensus', [0, 0, 10, 0, 0], 0],
    ['two camps at the ends', [5, 0, 0, 0, 5], 1],
    // mean 2, variance (2·4 + 2·1 + 0 + 2·1 + 2·4)/10 = 2 → 0.5
    ['uniform', [2, 2, 2, 2, 2], 0.5],
    // one vote each at 1 and 3: mean 2, variance (1 + 1)/2 = 1 → 0.25
    ['mild split', [0, 1, 0, 1, 0], 0.25],
    ['no votes', [0, 0, 0, 0, 0], 0],
  ])('polarisation: %s', (_name, d, expected) => {
    expect(polarisation({ distribution: d }).normalised).toBeCloseTo(expected, 12);
  });

  it('ranks a polarised, influential claim above unpolarised or uninfluential ones', () => {
    // T (no votes) ← A (split 5/5), ← B (all 2s); C is split but argues about nothing; D is
    // split, supports A, and so reaches T only through A.
    const claims = { T: null, A: votes([5, 0, 0, 0, 5]), B: votes([0, 0, 10, 0, 0]), C: votes([5, 0, 0, 0, 5]), D: votes([5, 0, 0, 0, 5]) };
    const result = run({
      name: 'crux',
      claims,
      relations: [
        ['r1', 'A', 'T', 'supports'],
        ['r2', 'B', 'T', 'supports'],
        ['r3', 'D', 'A', 'supports'],
      ],
      expected: {},
    });
    const report = findCruxes(result, 'T')!;
    expect(report.cruxes.map((x) => x.claimId)).toEqual(['A', 'D']);
    const [a, d] = report.cruxes;
    // A = 0.5 + 0.5·0.5 = 0.75 (D supports it). B = 0.5. vs(T) = 1 − 0.25·0.5 = 0.875.
    // ∂T/∂A = (1 − τ_T)·(1 − B) = 0.5·0.5 = 0.25; ∂A/∂τ_A = 1 − |0.5 − 0| = 0.5 → 0.125.
    // ∂A/∂D = 0.5, ∂D/∂τ_D = 1 → ∂T/∂τ_D = 0.25·0.5 = 0.125.
    // crux = 1 · 10/(10 + 4) · 0.125 for both; equal, so the id breaks the tie.
    expect(a).toMatchObject({ polarisation: 1, voteCount: 10, confidence: 10 / 14 });
    expect(a!.sensitivity).toBeCloseTo(0.125, 12);
    expect(a!.crux).toBeCloseTo((10 / 14) * 0.125, 12);
    expect(d!.crux).toBeCloseTo(a!.crux, 12);
    expect(report.thesisScore).toBeCloseTo(0.5 + 0.5 * 0.875, 12);
    expect(findCruxes(result, 'T', { k: 1 })!.cruxes).toHaveLength(1);
    expect(findCruxes(result, 'nope')).toBeUndefined();
  });

  it('prefers the claim with more influence when polarisation is equal, and counts attackers', () => {
    // T ← A (weight 1), T ← E attacks with impact 1/4: E's influence is smaller.
    const split = votes([5, 0, 0, 0, 5]);
    const result = run({
      name: 'weights',
      claims: { T: T50, A: split, E: split },
      relations: [
        ['r1', 'A', 'T', 'supports'],
        ['r2', 'E', 'T', 'attacks'],
      ],
      impact: { r2: votes([0, 1, 0, 0, 0]) },
      expected: {},
    });
    const report = findCruxes(result, 'T')!;
    expect(report.cruxes.map((x) => x.claimId)).toEqual(['A', 'E']);
    expect(report.cruxes[1]!.sensitivity).toBeLessThan(0);
  });
});
