/*
 * Strength-scoring benchmark: `npx tsx bench/scoring.bench.ts`.
 *
 * Builds seeded random debates of 10,000 claims and 15,000 relations (a forest under a few
 * theses, cross-links, linked co-premise groups and undercuts; one variant acyclic, one with
 * back-edges that close cycles), then times lib/scoring against the 20 ms budget and against
 * naive Map-based implementations of the same DF-QuAD formulas written below and measured in
 * the same run, so the ratios hold on any machine:
 *   naive recursion   memoized depth-first recursion over string-keyed Maps, rebuilt per call
 *                     (acyclic graphs only)
 *   naive iteration   whole-graph fixed-point sweeps over the same Maps until nothing moves
 *                     (what a simple implementation does when the graph may have cycles)
 * Both references are checked to agree with lib/scoring before anything is timed.
 *
 * Environment: BENCH_RUNS (default 200), BENCH_SEED (default 1).
 */
import type { Claim } from '../lib/model/claim';
import type { ArgumentGraph } from '../lib/model/graph';
import type { Relation, RelationKind } from '../lib/model/relation';
import { compileGraph } from '../lib/scoring/compile';
import { findCruxes } from '../lib/scoring/crux';
import { explainClaim } from '../lib/scoring/explain';
import { baseScore, dfquadCombine } from '../lib/scoring/formulas';
import { evaluate, loadParameters, scoreGraph, type ScoreResult } from '../lib/scoring/score';
import type { CredibilityTally, ImpactTally, ScoringInput, ScoringOptions, VoteTally } from '../lib/scoring/types';
import { createPrng, type Prng } from '../lib/testing/prng';

const CLAIMS = 10_000;
const RELATIONS = 15_000;
const THESES = 5;
const BACK_EDGES = 40;
const TARGET_MS = 20;
const RUNS = Number(process.env.BENCH_RUNS ?? 200);
const SEED = Number(process.env.BENCH_SEED ?? 1);

// ---------------------------------------------------------------------------------------------
// Input

function claim(id: string, kind: Claim['kind']): Claim {
  return { id, text: id, kind, x: 0, y: 0, author: 'bench', tags: [], createdAt: 0, updatedAt: 0 };
}

function relation(id: string, from: string, to: string, kind: RelationKind, group = ''): Relation {
  return { id, from, to, kind, group, author: 'bench', createdAt: 0 };
}

/** 16-character ids like the app's newId, so hashing costs what it costs in production. */
function ids(rng: Prng, n: number, prefix: string): string[] {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from({ length: n }, () => {
    let s = prefix;
    while (s.length < 16) s += alphabet[rng.int(alphabet.length)];
    return s;
  });
}

function votes(rng: Prng): VoteTally {
  const distribution = Array.from({ length: 5 }, () => rng.int(8));
  const count = distribution.reduce((a, b) => a + b, 0);
  const mean = count === 0 ? 0 : distribution.reduce((a, k, v) => a + k * v, 0) / count;
  return { count, mean, distribution };
}

/**
 * A debate: every claim but the theses argues about an earlier claim (a forest under the
 * theses); the remaining relations are cross-links from later claims to earlier ones, about one
 * in ten in two-premise linked groups, and undercuts of earlier relations. With `cycles`, some
 * cross-links point from an earlier claim to a later one instead, closing loops.
 */
function buildInput(seed: number, cycles: boolean): ScoringInput {
  const rng = createPrng(seed);
  const claimIds = ids(rng, CLAIMS, 'c');
  const relIds = ids(rng, RELATIONS, 'r');
  const claims = claimIds.map((id, i) => claim(id, i < THESES ? 'thesis' : 'claim'));
  const relations: Relation[] = [];
  const kind = (): RelationKind => (rng.bool(0.6) ? 'supports' : 'attacks');
  const parent = new Int32Array(CLAIMS).fill(-1);
  for (let i = THESES; i < CLAIMS; i++) {
    // Prefer recent parents a little, so the forest is deeper than a uniform recursive tree.
    parent[i] = Math.max(0, i - 1 - Math.floor(rng.next() ** 2 * i));
    relations.push(relation(relIds[relations.length]!, claimIds[i]!, claimIds[parent[i]!]!, kind()));
  }
  let backEdges = cycles ? BACK_EDGES : 0;
  while (relations.length < RELATIONS) {
    const id = relIds[relations.length]!;
    const roll = rng.next();
    if (roll < 0.1) {
      // An undercut from a later claim on an earlier relation's inference.
      const t = rng.int(relations.length);
      const target = relations[t]!;
      const to = claimIds.indexOf(target.to);
      if (target.kind === 'undercuts' || to < 0) continue;
      const from = to + 1 + rng.int(CLAIMS - to - 1);
      relations.push(relation(id, claimIds[from]!, target.id, 'undercuts'));
    } else if (roll < 0.2 && relations.length + 2 <= RELATIONS) {
      // A linked pair of premises.
      const to = rng.int(CLAIMS - 2);
      const k = kind();
      const group = `g${relations.length}`;
      relations.push(relation(id, claimIds[to + 1 + rng.int(CLAIMS - to - 1)]!, claimIds[to]!, k, group));
      relations.push(relation(relIds[relations.length]!, claimIds[to + 1 + rng.int(CLAIMS - to - 1)]!, claimIds[to]!, k, group));
    } else if (backEdges > 0 && roll > 0.99) {
      // An ancestor arguing about its own descendant: a loop of one to four steps.
      backEdges--;
      const to = THESES + rng.int(CLAIMS - THESES);
      let from = to;
      for (let up = 1 + rng.int(4); up > 0 && parent[from]! >= 0; up--) from = parent[from]!;
      relations.push(relation(id, claimIds[from]!, claimIds[to]!, kind()));
    } else {
      const to = rng.int(CLAIMS - 1);
      relations.push(relation(id, claimIds[to + 1 + rng.int(CLAIMS - to - 1)]!, claimIds[to]!, kind()));
    }
  }
  const agreement = new Map<string, VoteTally>();
  const credibility = new Map<string, CredibilityTally>();
  const impact = new Map<string, ImpactTally>();
  for (const id of claimIds) {
    if (rng.bool(0.9)) agreement.set(id, votes(rng));
    if (rng.bool(0.3)) credibility.set(id, { count: 1 + rng.int(6), mean: 1 + 4 * rng.next() });
  }
  for (const r of relations) if (rng.bool(0.5)) impact.set(r.id, votes(rng));
  return { graph: { claims, relations }, agreement, credibility, impact };
}

// ---------------------------------------------------------------------------------------------
// Naive references: the same DF-QuAD formulas over string-keyed Maps

interface NaiveIndex {
  base: Map<string, number>;
  /** Claim id → argument keys targeting it. */
  argsOf: Map<string, string[]>;
  /** Argument key → its relations. */
  members: Map<string, Relation[]>;
  /** Relation id → its argument key. */
  argOfRelation: Map<string, string>;
  /** Argument key → undercut argument keys targeting it. */
  undercutsOf: Map<string, string[]>;
  weight: Map<string, number>;
}

function naiveIndex(input: ScoringInput, options: Required<Pick<ScoringOptions, 'credibilityWeight' | 'credibilityPrior'>>): NaiveIndex {
  const agreement = input.agreement as ReadonlyMap<string, VoteTally>;
  const credibility = input.credibility as ReadonlyMap<string, CredibilityTally>;
  const impact = input.impact as ReadonlyMap<string, ImpactTally>;
  const base = new Map<string, number>();
  for (const c of input.graph.claims)
    base.set(c.id, baseScore(agreement.get(c.id), credibility.get(c.id), options.credibilityWeight, options.credibilityPrior));
  const members = new Map<string, Relation[]>();
  const argOfRelation = new Map<string, string>();
  for (const r of input.graph.relations) {
    const key = r.group === '' ? r.id : `${r.kind}|${r.to}|${r.group}`;
    argOfRelation.set(r.id, key);
    members.set(key, [...(members.get(key) ?? []), r]);
  }
  const argsOf = new Map<string, string[]>();
  const undercutsOf = new Map<string, string[]>();
  const weight = new Map<string, number>();
  for (const [key, rels] of members) {
    const first = rels[0]!;
    if (first.kind === 'undercuts') {
      const target = argOfRelation.get(first.to)!;
      undercutsOf.set(target, [...(undercutsOf.get(target) ?? []), key]);
    } else argsOf.set(first.to, [...(argsOf.get(first.to) ?? []), key]);
    let sum = 0;
    let count = 0;
    for (const r of rels) {
      const t = impact.get(r.id);
      if (t !== undefined && t.count > 0) {
        sum += t.mean * t.count;
        count += t.count;
      }
    }
    weight.set(key, count > 0 ? sum / count / 4 : 1);
  }
  return { base, argsOf, members, argOfRelation, undercutsOf, weight };
}

function naiveContribution(ix: NaiveIndex, key: string, score: (id: string) => number, contribution: (key: string) => number): number {
  const premises = new Set(ix.members.get(key)!.map((r) => r.from));
  let strength = 1;
  for (const p of premises) strength *= score(p);
  let keep = 1;
  for (const u of ix.undercutsOf.get(key) ?? []) keep *= 1 - contribution(u);
  return strength * ix.weight.get(key)! * keep;
}

function naiveClaim(ix: NaiveIndex, id: string, contribution: (key: string) => number): number {
  let keepSupport = 1;
  let keepAttack = 1;
  for (const key of ix.argsOf.get(id) ?? []) {
    const v = contribution(key);
    if (ix.members.get(key)![0]!.kind === 'supports') keepSupport *= 1 - v;
    else keepAttack *= 1 - v;
  }
  return dfquadCombine(ix.base.get(id)!, 1 - keepAttack, 1 - keepSupport);
}

/** Memoized recursion; assumes no cycles. */
function naiveRecursive(input: ScoringInput): Map<string, number> {
  const ix = naiveIndex(input, { credibilityWeight: 0.2, credibilityPrior: 2 });
  const scores = new Map<string, number>();
  const contributions = new Map<string, number>();
  const contribution = (key: string): number => {
    let v = contributions.get(key);
    if (v === undefined) contributions.set(key, (v = naiveContribution(ix, key, score, contribution)));
    return v;
  };
  const score = (id: string): number => {
    let s = scores.get(id);
    if (s === undefined) scores.set(id, (s = naiveClaim(ix, id, contribution)));
    return s;
  };
  for (const c of input.graph.claims) score(c.id);
  return scores;
}

/** Whole-graph sweeps (contributions from the previous sweep's scores) until nothing moves. */
function naiveIterative(input: ScoringInput): { scores: Map<string, number>; sweeps: number } {
  const ix = naiveIndex(input, { credibilityWeight: 0.2, credibilityPrior: 2 });
  let scores = new Map(ix.base);
  let contributions = new Map<string, number>();
  for (const key of ix.members.keys()) contributions.set(key, 0);
  for (let sweep = 1; sweep <= 10_000; sweep++) {
    const prevScores = scores;
    const prevContributions = contributions;
    const nextContributions = new Map<string, number>();
    for (const key of ix.members.keys())
      nextContributions.set(
        key,
        naiveContribution(
          ix,
          key,
          (id) => prevScores.get(id)!,
          (k) => prevContributions.get(k)!,
        ),
      );
    const nextScores = new Map<string, number>();
    let moved = 0;
    // Plain sweeps settle a DAG in (depth + 1) sweeps; half steps after 100 sweeps stop a
    // mutual attack from oscillating forever.
    const step = sweep > 100 ? 0.5 : 1;
    for (const c of input.graph.claims) {
      const f = naiveClaim(ix, c.id, (k) => nextContributions.get(k)!);
      const old = prevScores.get(c.id)!;
      moved = Math.max(moved, Math.abs(f - old));
      nextScores.set(c.id, old + step * (f - old));
    }
    for (const [k, v] of nextContributions) moved = Math.max(moved, Math.abs(v - prevContributions.get(k)!));
    scores = nextScores;
    contributions = nextContributions;
    if (moved <= 1e-9) return { scores, sweeps: sweep };
  }
  return { scores, sweeps: 10_000 };
}

// ---------------------------------------------------------------------------------------------
// Timing

interface Timing {
  min: number;
  p50: number;
  p95: number;
}

function time(fn: () => unknown, runs: number): Timing {
  const warmup = Math.max(10, Math.floor(runs / 5));
  for (let i = 0; i < warmup; i++) fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    fn();
    samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);
  const at = (q: number): number => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]!;
  return { min: samples[0]!, p50: at(0.5), p95: at(0.95) };
}

type Reference = 'recursion' | 'iteration, cyclic';
const measured: Array<{ name: string; timing: Timing; reference?: Reference }> = [];
function measure(name: string, fn: () => unknown, reference?: Reference, runs = RUNS): void {
  measured.push({ name, timing: time(fn, runs), reference });
}

function maxDifference(result: ScoreResult, reference: Map<string, number>): number {
  let worst = 0;
  result.graph.claimIds.forEach((id, c) => {
    worst = Math.max(worst, Math.abs(result.scores[c]! - reference.get(id)!));
  });
  return worst;
}

function describe(graph: ArgumentGraph, result: ScoreResult): string {
  const cyclic = result.cycles.reduce((n, c) => n + c.claimIds.length, 0);
  return (
    `${graph.claims.length} claims, ${graph.relations.length} relations, ${result.graph.argCount} arguments, ` +
    `${result.cycles.length} cycles over ${cyclic} claims (max ${result.iterations} sweeps, converged: ${result.converged})`
  );
}

const acyclic = buildInput(SEED, false);
const cyclic = buildInput(SEED, true);
const checkAcyclic = scoreGraph(acyclic);
const checkCyclic = scoreGraph(cyclic);
console.log(`acyclic: ${describe(acyclic.graph, checkAcyclic)}`);
console.log(`cyclic:  ${describe(cyclic.graph, checkCyclic)}`);

const recursive = naiveRecursive(acyclic);
const iterative = naiveIterative(acyclic);
const iterativeCyclic = naiveIterative(cyclic);
console.log(
  `agreement with lib/scoring (max |Δscore|): naive recursion ${maxDifference(checkAcyclic, recursive).toExponential(1)}, ` +
    `naive iteration ${maxDifference(checkAcyclic, iterative.scores).toExponential(1)} (${iterative.sweeps} sweeps), ` +
    `naive iteration on cycles ${maxDifference(checkCyclic, iterativeCyclic.scores).toExponential(1)} (${iterativeCyclic.sweeps} sweeps)`,
);
if (
  maxDifference(checkAcyclic, recursive) > 1e-12 ||
  maxDifference(checkAcyclic, iterative.scores) > 1e-6 ||
  maxDifference(checkCyclic, iterativeCyclic.scores) > 1e-6
)
  throw new Error('naive references disagree with lib/scoring: the ratios below would be meaningless');

// lib/scoring first: the references allocate heavily and their garbage would land in our timings.
for (const semantics of ['dfquad', 'quadratic-energy'] as const) {
  const options: ScoringOptions = { semantics };
  const ref = (r: Reference): Reference | undefined => (semantics === 'dfquad' ? r : undefined);
  measure(`scoreGraph ${semantics}, acyclic`, () => scoreGraph(acyclic, options), ref('recursion'));
  measure(`scoreGraph ${semantics}, cyclic`, () => scoreGraph(cyclic, options), ref('iteration, cyclic'));
  // The path when only votes changed: the compiled graph is kept.
  const g = compileGraph(acyclic.graph);
  const params = loadParameters(g, acyclic, options);
  measure(
    `  loadParameters + evaluate ${semantics}, acyclic`,
    () => evaluate(g, loadParameters(g, acyclic, options), options),
    ref('recursion'),
  );
  measure(`  evaluate only ${semantics}, acyclic`, () => evaluate(g, params, options), ref('recursion'));
}
measure('  compileGraph, acyclic', () => compileGraph(acyclic.graph));
measure('  compileGraph, cyclic', () => compileGraph(cyclic.graph));
const thesis = acyclic.graph.claims[0]!.id;
measure('findCruxes (thesis 0, k 10), acyclic', () => findCruxes(checkAcyclic, thesis));
measure('explainClaim (thesis 0), acyclic', () => explainClaim(checkAcyclic, thesis));

const refRuns = Math.max(10, Math.floor(RUNS / 10));
const references: Record<Reference, Timing> = {
  recursion: time(() => naiveRecursive(acyclic), refRuns),
  'iteration, cyclic': time(() => naiveIterative(cyclic), Math.max(5, Math.floor(refRuns / 4))),
};
const iterationAcyclic = time(() => naiveIterative(acyclic), Math.max(5, Math.floor(refRuns / 4)));

const cell = (t: Timing, reference?: Timing): string[] => [
  t.min.toFixed(2),
  t.p50.toFixed(2),
  t.p95.toFixed(2),
  (t.p50 / TARGET_MS).toFixed(2),
  (t.p95 / TARGET_MS).toFixed(2),
  reference === undefined ? '' : (t.p50 / reference.p50).toFixed(3),
];
const rows: string[][] = [
  ['naive recursion, acyclic (reference)', ...cell(references.recursion)],
  ['naive iteration, acyclic', ...cell(iterationAcyclic)],
  ['naive iteration, cyclic (reference)', ...cell(references['iteration, cyclic'])],
  ...measured.map((m) => [m.name, ...cell(m.timing, m.reference === undefined ? undefined : references[m.reference])]),
];
const header = ['', 'min ms', 'p50 ms', 'p95 ms', `p50 / ${TARGET_MS} ms`, `p95 / ${TARGET_MS} ms`, 'p50 / reference p50'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (r: string[]): string => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
console.log(`\n${RUNS} runs each (references fewer), seed ${SEED}, Node ${process.version}`);
console.log(line(header));
for (const r of rows) console.log(line(r));
console.log('\nReference for the dfquad rows: naive recursion (acyclic rows), naive iteration (cyclic rows).');
