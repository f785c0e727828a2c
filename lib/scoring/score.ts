import { blockMembers, compileGraph, type CompiledGraph } from './compile';
import { baseScore, clampVote, dfquadCombine, MAX_VOTE, quadraticEnergyCombine, usable } from './formulas';
import {
  resolveScoringOptions,
  tallyGetter,
  type ImpactTally,
  type ResolvedScoringOptions,
  type ScoringInput,
  type ScoringOptions,
  type Semantics,
} from './types';

/*
 * Strength scoring over a whole argument graph: DF-QuAD (Rago, Toni, Aurisicchio, Baroni,
 * KR 2016) or quadratic energy (Potyka, KR 2018), on the compiled graph of compile.ts.
 *
 * Per claim c with base score τ (formulas.ts baseScore) and the arguments targeting it:
 *   contribution(arg) = ∏ score(premise) · weight'(arg)
 *       the product is the conjunction of a linked argument's premises: all must hold, each
 *       weakens the whole, and unlike min it is smooth, so the crux finder's gradients see
 *       every premise (min would give all but the weakest a zero derivative)
 *   weight'(arg)      = weight(arg) · (1 − F(contributions of the undercuts targeting it))
 *       weight from pooled impact votes (formulas.ts pooledWeight); undercuts attack the
 *       inference, not the claim, so they scale the weight the same way under both semantics
 *   DF-QuAD:           score(c) = C(τ, F(attack contributions), F(support contributions))
 *   quadratic energy:  E = Σ support contributions − Σ attack contributions,
 *                      score(c) = τ + (1 − τ)·h(E) if E ≥ 0, else τ − τ·h(−E), h(E) = E²/(1 + E²)
 *
 * Acyclic parts are computed in one pass in dependency order. Each cycle (a strongly connected
 * component) is solved after everything it depends on, by damped Jacobi iteration on its claims
 *   σ ← σ + step·(f(σ) − σ)     (claims start at τ)
 * which is Euler's method on Potyka's continuous system dσ/dt = f(σ) − σ. Each sweep first
 * recomputes the cycle's argument contributions from the current claim scores, so a claim sees
 * its arguments' latest state rather than lagging a sweep behind. Jacobi rather than
 * Gauss-Seidel for the claims: every claim updates from the same previous sweep, so the result
 * does not depend (beyond the tolerance) on the order claims happen to be stored in, which
 * differs between replicas.
 * The step starts at options.step (1) and halves, down to MIN_STEP, whenever the iteration
 * oscillates (a sweep's move f(σ) − σ points against the previous one) or the residual
 * max |f(σ) − σ| stops shrinking, and grows back after a few calm sweeps (adaptStep). Iteration
 * stops when the residual (including how far contributions moved) is ≤ tolerance, or after
 * maxIterations sweeps, reported as not converged.
 */

/** Smallest step the cycle iteration halves down to. */
const MIN_STEP = 1 / 64;

/** Sweeps without oscillation after which a halved step doubles again. */
const CALM_SWEEPS = 4;

/**
 * Step control for the cycle iterations (here and in sensitivity.ts): halve on oscillation;
 * double back towards the initial step after CALM_SWEEPS calm sweeps, so that one rough patch
 * early on does not condemn the rest of the iteration to tiny steps.
 */
export function adaptStep(step: number, initial: number, oscillating: boolean, calm: number): number {
  if (oscillating) return Math.max(MIN_STEP, step / 2);
  return calm > 0 && calm % CALM_SWEEPS === 0 ? Math.min(initial, step * 2) : step;
}

/** Numbers scoring reads from votes, per claim and per argument; see loadParameters. */
export interface ScoreParameters {
  /** Base score τ' per claim (graph.claimIds order). */
  readonly base: Float64Array;
  /** Weight per argument before undercuts. */
  readonly weight: Float64Array;
}

export interface CycleReport {
  /** Claims on the cycle (a strongly connected component of the dependency graph). */
  readonly claimIds: readonly string[];
  /** Relations on the cycle, undercuts included. */
  readonly relationIds: readonly string[];
  readonly converged: boolean;
  /** Sweeps used. */
  readonly iterations: number;
  /** max |f(x) − x| at the last sweep. */
  readonly residual: number;
}

export interface ScoreResult {
  readonly semantics: Semantics;
  readonly options: ResolvedScoringOptions;
  readonly graph: CompiledGraph;
  readonly params: ScoreParameters;
  /** Node values: claim scores at [0, C), argument contributions at [C, C + A). */
  readonly values: Float64Array;
  /** Claim scores aligned with graph.claimIds (a view into values). */
  readonly scores: Float64Array;
  /** False when some cycle hit maxIterations. */
  readonly converged: boolean;
  /** The most sweeps any cycle needed; 0 for an acyclic graph (one pass). */
  readonly iterations: number;
  readonly cycles: readonly CycleReport[];
  /** Where the parameters came from, so explanations can quote votes. */
  readonly input?: ScoringInput;
}

/** Reads base scores and argument weights from the tallies. */
export function loadParameters(g: CompiledGraph, input: Omit<ScoringInput, 'graph'>, options: ScoringOptions = {}): ScoreParameters {
  const o = resolveScoringOptions(options);
  const agreement = tallyGetter(input.agreement);
  const credibility = tallyGetter(input.credibility);
  const impact = tallyGetter(input.impact);
  const base = new Float64Array(g.claimCount);
  for (let c = 0; c < g.claimCount; c++) {
    const id = g.claimIds[c]!;
    base[c] = baseScore(agreement(id), credibility(id), o.credibilityWeight, o.credibilityPrior);
  }
  const weight = new Float64Array(g.argCount);
  for (let a = 0; a < g.argCount; a++) weight[a] = argWeight(g, impact, a);
  return { base, weight };
}

/** pooledWeight (formulas.ts) unrolled: it runs per argument, where an iterable would allocate. */
function argWeight(g: CompiledGraph, impact: (id: string) => ImpactTally | undefined, a: number): number {
  let sum = 0;
  let count = 0;
  for (let q = g.argRelStart[a]!; q < g.argRelStart[a + 1]!; q++) {
    const t = impact(g.relationIds[g.argRels[q]!]!);
    if (!usable(t)) continue;
    sum += clampVote(t.mean) * t.count;
    count += t.count;
  }
  return count > 0 ? sum / count / MAX_VOTE : 1;
}

/**
 * f(x) for one node, from the current values of what it depends on: a claim's score or an
 * argument's contribution. Built once per evaluation so the hot loop reads locals.
 */
export function nodeFunction(g: CompiledGraph, params: ScoreParameters, semantics: Semantics, x: Float64Array): (n: number) => number {
  const C = g.claimCount;
  const { depStart, deps, depSign, argPremEnd } = g;
  const { base, weight } = params;
  const energy = semantics === 'quadratic-energy';
  return (n) => {
    const from = depStart[n]!;
    const to = depStart[n + 1]!;
    if (n < C) {
      if (energy) {
        let e = 0;
        for (let p = from; p < to; p++) e += depSign[p]! * x[deps[p]!]!;
        return quadraticEnergyCombine(base[n]!, e);
      }
      let keepSupport = 1;
      let keepAttack = 1;
      for (let p = from; p < to; p++) {
        const v = x[deps[p]!]!;
        if (depSign[p]! > 0) keepSupport *= 1 - v;
        else keepAttack *= 1 - v;
      }
      return dfquadCombine(base[n]!, 1 - keepAttack, 1 - keepSupport);
    }
    const a = n - C;
    const premEnd = argPremEnd[a]!;
    let premises = 1;
    for (let p = from; p < premEnd; p++) premises *= x[deps[p]!]!;
    let keep = 1;
    for (let p = premEnd; p < to; p++) keep *= 1 - x[deps[p]!]!;
    return premises * weight[a]! * keep;
  };
}

/** Scores a compiled graph with given parameters. */
export function evaluate(g: CompiledGraph, params: ScoreParameters, options: ScoringOptions = {}): ScoreResult {
  const o = resolveScoringOptions(options);
  const C = g.claimCount;
  const values = new Float64Array(C + g.argCount);
  const f = nodeFunction(g, params, o.semantics, values);
  const { order, blockStart, blockCyclic } = g;
  const blocks = blockCyclic.length;
  const cycles: CycleReport[] = [];
  // Work buffers for cycles, grown on demand: an acyclic graph allocates none.
  let scratch = new Float64Array(0);
  let lastMove = new Float64Array(0);
  let converged = true;
  let iterations = 0;

  for (let b = 0; b < blocks; b++) {
    const s = blockStart[b]!;
    if (blockCyclic[b] === 0) {
      const n = order[s]!;
      values[n] = f(n);
      continue;
    }
    const e = blockStart[b + 1]!;
    if (scratch.length < e - s) {
      scratch = new Float64Array(Math.max(e - s, 16));
      lastMove = new Float64Array(scratch.length);
    }
    lastMove.fill(0);
    for (let i = s; i < e; i++) {
      const n = order[i]!;
      values[n] = n < C ? params.base[n]! : 0;
    }
    let sweeps = 0;
    let residual = Infinity;
    let previous = Infinity;
    let step = o.step;
    let calm = 0;
    let done = false;
    while (sweeps < o.maxIterations) {
      sweeps++;
      residual = 0;
      for (let i = s; i < e; i++) {
        const n = order[i]!;
        if (n < C) continue;
        const v = f(n);
        const d = Math.abs(v - values[n]!);
        if (d > residual) residual = d;
        values[n] = v;
      }
      for (let i = s; i < e; i++) {
        const n = order[i]!;
        if (n >= C) continue;
        const v = f(n);
        scratch[i - s] = v;
        const d = Math.abs(v - values[n]!);
        if (d > residual) residual = d;
      }
      if (residual <= o.tolerance) {
        for (let i = s; i < e; i++) if (order[i]! < C) values[order[i]!] = scratch[i - s]!;
        done = true;
        break;
      }
      // Oscillation: this sweep's update points against the last one, or nothing improved.
      let turn = 0;
      for (let i = s; i < e; i++) {
        const n = order[i]!;
        if (n >= C) continue;
        const d = scratch[i - s]! - values[n]!;
        turn += d * lastMove[i - s]!;
        lastMove[i - s] = d;
      }
      const oscillating = turn < 0 || residual >= previous;
      calm = oscillating ? 0 : calm + 1;
      step = adaptStep(step, o.step, oscillating, calm);
      previous = residual;
      for (let i = s; i < e; i++) {
        const n = order[i]!;
        if (n < C) values[n] = values[n]! + step * lastMove[i - s]!;
      }
    }
    if (!done) converged = false;
    if (sweeps > iterations) iterations = sweeps;
    cycles.push({ ...blockMembers(g, b), converged: done, iterations: sweeps, residual });
  }

  return {
    semantics: o.semantics,
    options: o,
    graph: g,
    params,
    values,
    scores: values.subarray(0, C),
    converged,
    iterations,
    cycles,
  };
}

/** Compiles, reads the tallies and scores: the one-call path. */
export function scoreGraph(input: ScoringInput, options: ScoringOptions = {}): ScoreResult {
  const o = resolveScoringOptions(options);
  const g = compileGraph(input.graph);
  return { ...evaluate(g, loadParameters(g, input, o), o), input };
}

/** Score of one claim, or undefined for an unknown id. */
export function scoreOf(result: ScoreResult, claimId: string): number | undefined {
  const c = result.graph.claimIndex.get(claimId);
  return c === undefined ? undefined : result.scores[c];
}

/** All scores by claim id, for a UI that looks them up while rendering. */
export function scoresById(result: ScoreResult): Map<string, number> {
  const out = new Map<string, number>();
  result.graph.claimIds.forEach((id, c) => out.set(id, result.scores[c]!));
  return out;
}
