import { afterAll, describe, expect, it } from 'vitest';
import type { Claim } from '@/lib/model/claim';
import type { ArgumentGraph } from '@/lib/model/graph';
import type { Relation, RelationKind } from '@/lib/model/relation';
import { findCruxes } from '@/lib/scoring/crux';
import { explainClaim } from '@/lib/scoring/explain';
import { evaluate, scoreGraph, scoreOf } from '@/lib/scoring/score';
import { baseSensitivity } from '@/lib/scoring/sensitivity';
import { SEMANTICS, type CredibilityTally, type ImpactTally, type ScoringInput, type VoteTally } from '@/lib/scoring/types';
import { createPrng, type Prng } from '@/lib/testing/prng';

/*
 * Properties of lib/scoring over seeded random graphs. A failing seed is printed in the test
 * name; pin it in PINNED_SEEDS so it runs first on every CI run.
 */

const PINNED_SEEDS: readonly number[] = [];
const SEEDS = [...PINNED_SEEDS, ...Array.from({ length: 150 }, (_, i) => i + 1)];
const SENSITIVITY_SEEDS = SEEDS.slice(0, 60);

interface Shape {
  claims: number;
  relations: number;
  /** Relations only run from a higher claim index to a lower one, so nothing loops. */
  acyclic: boolean;
}

function claim(id: string): Claim {
  return { id, text: id, kind: 'claim', x: 0, y: 0, author: 'test', tags: [], createdAt: 0, updatedAt: 0 };
}

function relation(id: string, from: string, to: string, kind: RelationKind, group = ''): Relation {
  return { id, from, to, kind, group, author: 'test', createdAt: 0 };
}

function randomVotes(rng: Prng): VoteTally {
  const distribution = Array.from({ length: 5 }, () => (rng.bool(0.5) ? rng.int(6) : 0));
  const count = distribution.reduce((a, b) => a + b, 0);
  const mean = count === 0 ? 0 : distribution.reduce((a, k, v) => a + k * v, 0) / count;
  return { count, mean, distribution };
}

/**
 * A random debate: supports and attacks (some in linked groups), undercuts (some of undercuts),
 * and random agreement, impact and credibility tallies. When acyclic, relation i → j has i > j,
 * and an undercut's author claim has a higher index than the claim its target finally affects.
 */
function randomInput(rng: Prng, shape: Shape): ScoringInput {
  const n = shape.claims;
  const claims = Array.from({ length: n }, (_, i) => claim(`c${i}`));
  const relations: Relation[] = [];
  /** The claim each relation finally affects (for undercuts, through their target). */
  const sink: number[] = [];
  for (let i = 0; relations.length < shape.relations && i < shape.relations * 4; i++) {
    const id = `r${relations.length}`;
    if (relations.length > 0 && rng.bool(0.2)) {
      const t = rng.int(relations.length);
      const s = sink[t]!;
      if (shape.acyclic && s >= n - 1) continue;
      const from = shape.acyclic ? s + 1 + rng.int(n - 1 - s) : rng.int(n);
      relations.push(relation(id, `c${from}`, relations[t]!.id, 'undercuts', rng.bool(0.2) ? 'u' : ''));
      sink.push(s);
      continue;
    }
    const to = shape.acyclic ? rng.int(n - 1) : rng.int(n);
    const from = shape.acyclic ? to + 1 + rng.int(n - 1 - to) : rng.int(n);
    const kind: RelationKind = rng.bool(0.6) ? 'supports' : 'attacks';
    relations.push(relation(id, `c${from}`, `c${to}`, kind, rng.bool(0.25) ? `g${rng.int(2)}` : ''));
    sink.push(to);
  }
  const agreement = new Map<string, VoteTally>();
  const credibility = new Map<string, CredibilityTally>();
  const impact = new Map<string, ImpactTally>();
  for (const c of claims) {
    if (rng.bool(0.85)) agreement.set(c.id, randomVotes(rng));
    if (rng.bool(0.3)) credibility.set(c.id, { count: rng.int(5), mean: 1 + 4 * rng.next() });
  }
  for (const r of relations) if (rng.bool(0.4)) impact.set(r.id, randomVotes(rng));
  return { graph: { claims, relations }, agreement, credibility, impact };
}

function withGraph(input: ScoringInput, graph: ArgumentGraph): ScoringInput {
  return { ...input, graph };
}

function shuffled<T>(rng: Prng, items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Claims on a cycle, found independently by brute force over claims and relations as nodes. */
function claimsOnCycles(graph: ArgumentGraph, ignored: ReadonlySet<string>): Set<string> {
  const deps = new Map<string, string[]>();
  const add = (node: string, dep: string): void => {
    const list = deps.get(node) ?? [];
    list.push(dep);
    deps.set(node, list);
  };
  for (const r of graph.relations) {
    if (ignored.has(r.id)) continue;
    add(`rel:${r.id}`, `claim:${r.from}`);
    add(r.kind === 'undercuts' ? `rel:${r.to}` : `claim:${r.to}`, `rel:${r.id}`);
  }
  const out = new Set<string>();
  for (const c of graph.claims) {
    const start = `claim:${c.id}`;
    const seen = new Set<string>();
    const stack = [...(deps.get(start) ?? [])];
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (node === start) {
        out.add(c.id);
        break;
      }
      if (seen.has(node)) continue;
      seen.add(node);
      stack.push(...(deps.get(node) ?? []));
    }
  }
  return out;
}

const small: Shape = { claims: 25, relations: 45, acyclic: true };
const smallCyclic: Shape = { claims: 20, relations: 40, acyclic: false };

describe.each(SEMANTICS.map((s) => [s] as const))('%s', (semantics) => {
  /**
   * Cyclic graphs whose sensitivity is undetermined (a degenerate fixed point such as a τ-0
   * claim supporting itself; see lib/scoring/sensitivity.ts). They exist, but must stay rare in
   * random graphs or the crux finder would be blind too often.
   */
  let undetermined = 0;
  afterAll(() => {
    expect(undetermined).toBeLessThanOrEqual(SENSITIVITY_SEEDS.length / 10);
  });

  it.each(SEEDS)('seed %i: scores are finite and in [0, 1], on acyclic and cyclic graphs', (seed) => {
    const rng = createPrng(seed);
    for (const shape of [small, smallCyclic]) {
      const result = scoreGraph(randomInput(rng, shape), { semantics });
      for (const s of result.scores) {
        expect(Number.isFinite(s)).toBe(true);
        expect(s).toBeGreaterThanOrEqual(0);
        expect(s).toBeLessThanOrEqual(1);
      }
      if (shape.acyclic) expect(result.cycles).toEqual([]);
    }
  });

  it.each(SEEDS)('seed %i: adding a supporter never lowers a claim, adding an attacker never raises it', (seed) => {
    const rng = createPrng(seed);
    const input = randomInput(rng, small);
    const before = scoreGraph(input, { semantics });
    const target = rng.int(small.claims - 1);
    // The new argument's premise is a new claim, or an existing one the target cannot reach.
    const premise = rng.bool(0.5) ? 'new' : `c${target + 1 + rng.int(small.claims - 1 - target)}`;
    for (const kind of ['supports', 'attacks'] as const) {
      const graph: ArgumentGraph = {
        claims: premise === 'new' ? [...input.graph.claims, claim('new')] : input.graph.claims,
        relations: [...input.graph.relations, relation('added', premise, `c${target}`, kind)],
      };
      const agreement = new Map(input.agreement as ReadonlyMap<string, VoteTally>).set('new', randomVotes(rng));
      const impact = new Map(input.impact as ReadonlyMap<string, ImpactTally>).set('added', randomVotes(rng));
      const after = scoreGraph({ ...withGraph(input, graph), agreement, impact }, { semantics });
      const was = scoreOf(before, `c${target}`)!;
      const is = scoreOf(after, `c${target}`)!;
      if (kind === 'supports') expect(is).toBeGreaterThanOrEqual(was - 1e-12);
      else expect(is).toBeLessThanOrEqual(was + 1e-12);
    }
  });

  it.each(SEEDS)('seed %i: cycles converge and exactly the claims on cycles are reported', (seed) => {
    const rng = createPrng(seed);
    const input = randomInput(rng, smallCyclic);
    const result = scoreGraph(input, { semantics });
    expect(result.converged).toBe(true);
    for (const cycle of result.cycles) {
      expect(cycle.converged).toBe(true);
      expect(cycle.residual).toBeLessThanOrEqual(1e-9);
    }
    const reported = new Set(result.cycles.flatMap((c) => c.claimIds));
    const expected = claimsOnCycles(input.graph, new Set(result.graph.ignoredRelationIds));
    expect([...reported].sort()).toEqual([...expected].sort());
  });

  it.each(SEEDS)('seed %i: scores do not depend on the order claims and relations are stored in', (seed) => {
    const rng = createPrng(seed);
    for (const shape of [small, smallCyclic]) {
      const input = randomInput(rng, shape);
      const a = scoreGraph(input, { semantics });
      const graph = { claims: shuffled(rng, input.graph.claims), relations: shuffled(rng, input.graph.relations) };
      const b = scoreGraph(withGraph(input, graph), { semantics });
      // Products over a claim's arguments change order, so rounding may differ in the last bits;
      // on a cycle each result is only within the tolerance of the fixed point.
      for (const c of input.graph.claims) expect(scoreOf(b, c.id)).toBeCloseTo(scoreOf(a, c.id)!, shape.acyclic ? 12 : 7);
    }
  });

  /*
   * DF-QuAD has kinks where a claim's aggregated support equals its aggregated attack, which
   * whole-number votes make common. There the adjoint takes the support ≥ attack side, so it
   * must match the forward or the backward difference quotient; elsewhere they agree anyway.
   */
  it.each(SENSITIVITY_SEEDS)('seed %i: sensitivity matches one-sided finite differences', (seed) => {
    const rng = createPrng(seed);
    for (const shape of [small, smallCyclic]) {
      const options = { semantics, tolerance: 1e-14, maxIterations: 20_000 };
      const result = scoreGraph(randomInput(rng, shape), options);
      const thesis = result.graph.claimIds[rng.int(result.graph.claimCount)]!;
      const t = result.graph.claimIndex.get(thesis)!;
      const sensitivity = baseSensitivity(result, thesis)!;
      if (shape.acyclic) expect(sensitivity.converged).toBe(true);
      else if (!sensitivity.converged) undetermined++;
      const h = 1e-7;
      for (let c = 0; c < result.graph.claimCount; c++) {
        const tau = result.params.base[c]!;
        if (tau < 2 * h || tau > 1 - 2 * h) continue;
        if (Number.isNaN(sensitivity.values[c])) continue;
        const at = (delta: number): number => {
          const base = Float64Array.from(result.params.base);
          base[c] = tau + delta;
          return evaluate(result.graph, { base, weight: result.params.weight }, options).scores[t]!;
        };
        const here = at(0);
        const forward = (at(h) - here) / h;
        const backward = (here - at(-h)) / h;
        const adjoint = sensitivity.values[c]!;
        const error = Math.min(Math.abs(adjoint - forward), Math.abs(adjoint - backward));
        expect(error, `∂${thesis}/∂τ(c${c}) = ${adjoint}, quotients ${forward}, ${backward}`).toBeLessThan(1e-5);
      }
    }
  });

  it.each(SEEDS)('seed %i: explanations add up, and scoreWithout is the score without the argument', (seed) => {
    const rng = createPrng(seed);
    const input = randomInput(rng, small);
    const result = scoreGraph(input, { semantics });
    for (const id of result.graph.claimIds) {
      const e = explainClaim(result, id)!;
      expect(Math.abs(e.unexplained)).toBeLessThan(1e-12);
      expect(e.base.score).toBe(result.params.base[result.graph.claimIndex.get(id)!]);
    }
    // Remove one argument's relations (undercuts of them drop out as dangling) and re-score.
    const explained = result.graph.claimIds.map((id) => explainClaim(result, id)!).filter((e) => e.arguments.length > 0);
    if (explained.length === 0) return;
    const e = rng.pick(explained);
    const arg = rng.pick(e.arguments);
    const removed = new Set(arg.relationIds);
    const graph = { claims: input.graph.claims, relations: input.graph.relations.filter((r) => !removed.has(r.id)) };
    const without = scoreGraph(withGraph(input, graph), { semantics });
    expect(scoreOf(without, e.claimId)).toBeCloseTo(arg.scoreWithout, 12);
  });

  it.each(SEEDS.slice(0, 40))('seed %i: cyclic explanations add up to within the tolerance', (seed) => {
    const result = scoreGraph(randomInput(createPrng(seed), smallCyclic), { semantics });
    for (const id of result.graph.claimIds) expect(Math.abs(explainClaim(result, id)!.unexplained)).toBeLessThan(1e-8);
  });
});

describe('sensitivity on larger graphs', () => {
  it('is zero exactly for claims the thesis cannot reach', () => {
    const input = randomInput(createPrng(7), { claims: 300, relations: 400, acyclic: true });
    const result = scoreGraph(input);
    const s = baseSensitivity(result, 'c0')!;
    const reach = new Set<string>();
    const stack = ['c0'];
    const incoming = new Map<string, Relation[]>();
    for (const r of input.graph.relations) incoming.set(r.to, [...(incoming.get(r.to) ?? []), r]);
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (reach.has(node)) continue;
      reach.add(node);
      for (const r of incoming.get(node) ?? []) {
        stack.push(r.from);
        stack.push(r.id);
      }
    }
    result.graph.claimIds.forEach((id, c) => {
      if (!reach.has(id)) expect(s.values[c]).toBe(0);
    });
  });
});

describe('crux finder on random graphs', () => {
  it.each(SEEDS.slice(0, 60))('seed %i: planted claims rank by polarisation and influence', (seed) => {
    const rng = createPrng(seed);
    const input = randomInput(rng, small);
    const split: VoteTally = { count: 40, mean: 2, distribution: [20, 0, 0, 0, 20] };
    const consensus: VoteTally = { count: 40, mean: 2, distribution: [0, 0, 40, 0, 0] };
    // near and far both support the thesis with the same split votes; far's link has impact
    // 1/4, so it moves the thesis less. consensus is as close as near but nobody disagrees;
    // detached is split but argues about nothing.
    const graph: ArgumentGraph = {
      claims: [...input.graph.claims, claim('near'), claim('far'), claim('consensus'), claim('detached')],
      relations: [
        ...input.graph.relations,
        relation('p-near', 'near', 'c0', 'supports'),
        relation('p-far', 'far', 'c0', 'supports'),
        relation('p-consensus', 'consensus', 'c0', 'supports'),
      ],
    };
    const agreement = new Map(input.agreement as ReadonlyMap<string, VoteTally>)
      .set('c0', consensus)
      .set('near', split)
      .set('far', split)
      .set('consensus', consensus)
      .set('detached', split);
    const impact = new Map(input.impact as ReadonlyMap<string, ImpactTally>).set('p-far', { count: 3, mean: 1 });
    const result = scoreGraph({ ...withGraph(input, graph), agreement, impact });
    const ranked = findCruxes(result, 'c0', { k: 1000 })!.cruxes.map((c) => c.claimId);
    expect(ranked).not.toContain('consensus');
    expect(ranked).not.toContain('detached');
    expect(ranked).not.toContain('c0');
    // Both vanish only when another supporter of c0 is already certain (contribution 1).
    if (ranked.includes('far')) expect(ranked.indexOf('near')).toBeLessThan(ranked.indexOf('far'));
  });
});
