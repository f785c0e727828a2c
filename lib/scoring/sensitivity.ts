import { energyInfluence, energyInfluenceDerivative } from './formulas';
import { adaptStep, type ScoreResult } from './score';

/*
 * ∂score(target)/∂τ'(c) for every claim c at once, by reverse-mode differentiation (the adjoint
 * method) over the scored graph: one backward pass in reverse evaluation order, O(claims +
 * relations), instead of re-scoring the graph once per claim as perturbation would.
 *
 * With node values x = f(x, τ) (score.ts), λ = e_target + Jᵀλ, J = ∂f/∂x, and then
 * ∂score(target)/∂τ_c = λ_c · ∂f_c/∂τ_c. On acyclic parts λ flows from each node to what it
 * depends on in one pass; on a cycle the same linear equation is solved by the same kind of
 * iteration scoring uses, which converges wherever scoring's fixed point was attracting.
 *
 * DF-QuAD has a kink where the aggregated support equals the aggregated attack; there the
 * derivative for "support ≥ attack" is used (any one-sided value is a valid subgradient).
 *
 * A cycle can sit on a degenerate fixed point where the derivative does not exist: a claim
 * nobody believes (τ 0) supporting itself at full weight stays at 0, yet any nudge to its τ
 * carries it to 1. There the iteration cannot converge; rather than return a number that only
 * reflects the iteration cap, such a cycle's sensitivities, and those of everything it depends
 * on, are NaN ("undetermined"), and `converged` is false.
 */

export interface BaseSensitivity {
  /**
   * ∂score(target)/∂τ'(c), per claim in graph.claimIds order. 0 for claims the target does not
   * depend on; NaN where it is undetermined (see the module comment).
   */
  readonly values: Float64Array;
  /** False when a cycle's adjoint iteration hit maxIterations. */
  readonly converged: boolean;
  /** The most sweeps any cycle needed. */
  readonly iterations: number;
}

/**
 * Local derivatives of one node's f, written into out[p − depStart[n]] for each dependency p;
 * returns ∂f/∂τ for a claim (0 for an argument). Reads the scored values, so it is exact at the
 * fixed point the scorer found.
 */
export function localPartials(result: ScoreResult, n: number, out: Float64Array): number {
  const g = result.graph;
  const x = result.values;
  const { depStart, deps, depSign } = g;
  const C = g.claimCount;
  const from = depStart[n]!;
  const to = depStart[n + 1]!;
  if (n < C) {
    const tau = result.params.base[n]!;
    if (result.semantics === 'quadratic-energy') {
      let e = 0;
      for (let p = from; p < to; p++) e += depSign[p]! * x[deps[p]!]!;
      const dSdE = e >= 0 ? (1 - tau) * energyInfluenceDerivative(e) : tau * energyInfluenceDerivative(-e);
      for (let p = from; p < to; p++) out[p - from] = depSign[p]! * dSdE;
      return 1 - energyInfluence(Math.abs(e));
    }
    // Products of (1 − v) per side, keeping exact zeros apart so "product of the others" needs
    // no division by zero: a contribution of exactly 1 is common (unanimous votes, no impact votes).
    let zs = 0;
    let ps = 1;
    let za = 0;
    let pa = 1;
    for (let p = from; p < to; p++) {
      const q = 1 - x[deps[p]!]!;
      if (depSign[p]! > 0) {
        if (q === 0) zs++;
        else ps *= q;
      } else if (q === 0) za++;
      else pa *= q;
    }
    const vs = zs > 0 ? 1 : 1 - ps;
    const va = za > 0 ? 1 : 1 - pa;
    const k = vs >= va ? 1 - tau : tau;
    for (let p = from; p < to; p++) {
      const q = 1 - x[deps[p]!]!;
      const support = depSign[p]! > 0;
      const z = support ? zs : za;
      const prod = support ? ps : pa;
      const others = q === 0 ? (z === 1 ? prod : 0) : z > 0 ? 0 : prod / q;
      out[p - from] = support ? k * others : -k * others;
    }
    return 1 - Math.abs(vs - va);
  }
  const a = n - C;
  const premEnd = g.argPremEnd[a]!;
  const w = result.params.weight[a]!;
  let zp = 0;
  let pp = 1;
  for (let p = from; p < premEnd; p++) {
    const s = x[deps[p]!]!;
    if (s === 0) zp++;
    else pp *= s;
  }
  let zu = 0;
  let pu = 1;
  for (let p = premEnd; p < to; p++) {
    const q = 1 - x[deps[p]!]!;
    if (q === 0) zu++;
    else pu *= q;
  }
  const premises = zp > 0 ? 0 : pp;
  const keep = zu > 0 ? 0 : pu;
  for (let p = from; p < premEnd; p++) {
    const s = x[deps[p]!]!;
    out[p - from] = w * keep * (s === 0 ? (zp === 1 ? pp : 0) : zp > 0 ? 0 : pp / s);
  }
  for (let p = premEnd; p < to; p++) {
    const q = 1 - x[deps[p]!]!;
    out[p - from] = -w * premises * (q === 0 ? (zu === 1 ? pu : 0) : zu > 0 ? 0 : pu / q);
  }
  return 0;
}

/** Sensitivity of one claim's score to every claim's base score; undefined for an unknown id. */
export function baseSensitivity(result: ScoreResult, targetClaimId: string): BaseSensitivity | undefined {
  const g = result.graph;
  const target = g.claimIndex.get(targetClaimId);
  if (target === undefined) return undefined;
  const C = g.claimCount;
  const N = C + g.argCount;
  const { order, blockStart, blockCyclic, nodeBlock, depStart, deps } = g;
  const { tolerance, maxIterations } = result.options;
  let maxDegree = 0;
  for (let n = 0; n < N; n++) maxDegree = Math.max(maxDegree, depStart[n + 1]! - depStart[n]!);
  const partial = new Float64Array(maxDegree);
  const lambda = new Float64Array(N);
  const dTau = new Float64Array(C);
  /** On cycles: local partials cached per dependency slot (they are constants at the fixed point). */
  let slot: Float64Array | undefined;
  let seed = new Float64Array(0);
  let lastMove = new Float64Array(0);
  let pushed: Float64Array | undefined;
  let converged = true;
  let iterations = 0;
  lambda[target] = 1;

  // Only the target's block and those before it can hold anything the target depends on.
  for (let b = nodeBlock[target]!; b >= 0; b--) {
    const s = blockStart[b]!;
    const e = blockStart[b + 1]!;
    if (blockCyclic[b] === 0) {
      const n = order[s]!;
      const l = lambda[n]!;
      if (l === 0) continue;
      const d = localPartials(result, n, partial);
      if (n < C) dTau[n] = d;
      for (let p = depStart[n]!; p < depStart[n + 1]!; p++) lambda[deps[p]!]! += l * partial[p - depStart[n]!]!;
      continue;
    }
    // λ_S = seed + J_SSᵀ λ_S, with seed what dependents outside the cycle already pushed. The
    // sweep mirrors score.ts: arguments first, undamped, then claims with a damped Jacobi step
    // whose step halves on oscillation.
    slot ??= new Float64Array(deps.length);
    pushed ??= new Float64Array(N);
    if (seed.length < e - s) {
      seed = new Float64Array(Math.max(e - s, 16));
      lastMove = new Float64Array(seed.length);
    }
    lastMove.fill(0);
    for (let i = s; i < e; i++) {
      const m = order[i]!;
      seed[i - s] = lambda[m]!;
      const d = localPartials(result, m, partial);
      if (m < C) dTau[m] = d;
      for (let p = depStart[m]!; p < depStart[m + 1]!; p++) slot[p] = partial[p - depStart[m]!]!;
    }
    /** Adds λ_m ∂f_m/∂x_dep into pushed[dep] for in-cycle deps of the wanted kind. */
    const push = (toClaims: boolean): void => {
      for (let i = s; i < e; i++) {
        const m = order[i]!;
        const l = lambda[m]!;
        if (l === 0) continue;
        for (let p = depStart[m]!; p < depStart[m + 1]!; p++) {
          const dep = deps[p]!;
          if (nodeBlock[dep] === b && dep < C === toClaims) pushed![dep]! += l * slot![p]!;
        }
      }
    };
    let sweeps = 0;
    let step = result.options.step;
    let calm = 0;
    let previous = Infinity;
    let done = false;
    while (sweeps < maxIterations) {
      sweeps++;
      let residual = 0;
      for (let i = s; i < e; i++) pushed[order[i]!] = 0;
      push(false);
      for (let i = s; i < e; i++) {
        const n = order[i]!;
        if (n < C) continue;
        const next = seed[i - s]! + pushed[n]!;
        residual = Math.max(residual, Math.abs(next - lambda[n]!));
        lambda[n] = next;
      }
      push(true);
      for (let i = s; i < e; i++) {
        const n = order[i]!;
        if (n < C) residual = Math.max(residual, Math.abs(seed[i - s]! + pushed[n]! - lambda[n]!));
      }
      const converging = residual <= tolerance;
      let turn = 0;
      for (let i = s; i < e; i++) {
        const n = order[i]!;
        if (n >= C) continue;
        const d = seed[i - s]! + pushed[n]! - lambda[n]!;
        turn += d * lastMove[i - s]!;
        lastMove[i - s] = d;
      }
      const oscillating = turn < 0 || residual >= previous;
      calm = oscillating ? 0 : calm + 1;
      step = adaptStep(step, result.options.step, oscillating, calm);
      previous = residual;
      const rate = converging ? 1 : step;
      for (let i = s; i < e; i++) {
        const n = order[i]!;
        if (n < C) lambda[n] = lambda[n]! + rate * lastMove[i - s]!;
      }
      if (converging) {
        done = true;
        break;
      }
    }
    if (!done) {
      converged = false;
      for (let i = s; i < e; i++) lambda[order[i]!] = NaN;
    }
    iterations = Math.max(iterations, sweeps);
    for (let i = s; i < e; i++) {
      const m = order[i]!;
      const l = lambda[m]!;
      if (l === 0) continue;
      for (let p = depStart[m]!; p < depStart[m + 1]!; p++) {
        const dep = deps[p]!;
        // NaN · 0 is NaN: an undetermined cycle leaves everything it depends on undetermined.
        if (nodeBlock[dep] !== b) lambda[dep]! += l * slot[p]!;
      }
    }
  }

  const values = new Float64Array(C);
  for (let c = 0; c < C; c++) values[c] = lambda[c]! * dTau[c]!;
  return { values, converged, iterations };
}
