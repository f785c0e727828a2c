import { ARG_SUPPORTS } from './compile';
import { credibilityNudge, dfquadCombine, NEUTRAL_BASE, pooledImpact, quadraticEnergyCombine, usable, voteScore } from './formulas';
import type { ScoreResult } from './score';
import { tallyGetter, type Semantics } from './types';

/*
 * Why a claim has its score, as plain data for a UI panel: where the base score came from, and
 * what each argument (a relation, or a linked group) did to it.
 *
 * Two views of an argument's effect, because neither alone answers every question:
 *   share        an exact split of (score − base) among the arguments: base + Σ share = score.
 *                DF-QuAD: score − τ = k·(vs − va) with k = 1 − τ if vs ≥ va, else τ; each side's
 *                aggregate F = 1 − ∏(1 − vi) is split in proportion to −ln(1 − vi), each term's
 *                part of the sum of logs that F is built from (an argument with vi = 1 takes
 *                the whole side, shared equally with any other such argument).
 *                Quadratic energy: score − τ = g(E) with E = Σ ±vi, and each argument gets
 *                (score − τ)·(±vi)/E, which is what integrating the gradient along the
 *                straight path from E = 0 gives for a function of a sum.
 *   scoreWithout the claim's score with that argument removed and everything else held as it
 *                is: exact on acyclic graphs, a first-order answer on a cycle.
 */

export interface BaseExplanation {
  /** τ', the base score used. */
  score: number;
  /** Agreement votes, or null when there were none (then τ = 0.5). */
  votes: { count: number; mean: number } | null;
  /** τ from votes alone: mean / 4, or 0.5. */
  fromVotes: number;
  /** Source credibility and how far it moved τ (τ' = τ + nudge), or null with no ratings. */
  credibility: { count: number; mean: number; nudge: number } | null;
}

export interface PremiseExplanation {
  claimId: string;
  score: number;
}

export interface UndercutExplanation {
  relationIds: string[];
  group: string;
  premises: PremiseExplanation[];
  /** The undercut's own weight, after undercuts of it. */
  weight: number;
  /** ∏ premise scores × weight: what it feeds into the attacked inference's F. */
  contribution: number;
}

export interface ArgumentExplanation {
  kind: 'supports' | 'attacks';
  relationIds: string[];
  /** Co-premise group id; '' for a lone relation. */
  group: string;
  premises: PremiseExplanation[];
  /** ∏ premise scores. */
  premiseStrength: number;
  /** Impact votes pooled over the argument's relations, or null when there were none (weight 1). */
  impact: { count: number; mean: number } | null;
  /** Weight from impact votes, before undercuts. */
  baseWeight: number;
  /** F(undercut contributions): the fraction of the weight undercuts take away. */
  undercut: number;
  /** baseWeight × (1 − undercut). */
  weight: number;
  undercuts: UndercutExplanation[];
  /** premiseStrength × weight. */
  contribution: number;
  /** This argument's part of (score − base); see the module comment. */
  share: number;
  /** The claim's score without this argument, everything else held fixed. */
  scoreWithout: number;
}

export interface ClaimExplanation {
  claimId: string;
  semantics: Semantics;
  score: number;
  base: BaseExplanation;
  /** DF-QuAD: F(support contributions); quadratic energy: Σ support contributions. */
  supportAggregate: number;
  /** DF-QuAD: F(attack contributions); quadratic energy: Σ attack contributions. */
  attackAggregate: number;
  /** Arguments targeting the claim, largest |share| first. */
  arguments: ArgumentExplanation[];
  /** The claim is on a cycle: its score is an iterated fixed point. */
  inCycle: boolean;
  /** score − (base + Σ share): rounding, or on a cycle the iteration tolerance. */
  unexplained: number;
}

/** Explains one claim's score; undefined for an unknown id. Votes are quoted from result.input. */
export function explainClaim(result: ScoreResult, claimId: string): ClaimExplanation | undefined {
  const g = result.graph;
  const c = g.claimIndex.get(claimId);
  if (c === undefined) return undefined;
  const C = g.claimCount;
  const x = result.values;
  const tau = result.params.base[c]!;
  const score = x[c]!;
  const energy = result.semantics === 'quadratic-energy';

  const args: ArgumentExplanation[] = [];
  const contributions: number[] = [];
  let supportAggregate = 0;
  let attackAggregate = 0;
  let keepSupport = 1;
  let keepAttack = 1;
  for (let p = g.depStart[c]!; p < g.depStart[c + 1]!; p++) {
    const a = g.deps[p]! - C;
    const v = x[C + a]!;
    const support = g.argKind[a] === ARG_SUPPORTS;
    args.push(describeArgument(result, a));
    contributions.push(v);
    if (energy) {
      if (support) supportAggregate += v;
      else attackAggregate += v;
    } else if (support) keepSupport *= 1 - v;
    else keepAttack *= 1 - v;
  }
  if (!energy) {
    supportAggregate = 1 - keepSupport;
    attackAggregate = 1 - keepAttack;
  }
  const combine = (sup: number, att: number): number => (energy ? quadraticEnergyCombine(tau, sup - att) : dfquadCombine(tau, att, sup));

  // scoreWithout: the same combination over every argument but one.
  args.forEach((arg, i) => {
    let sup = energy ? 0 : 1;
    let att = energy ? 0 : 1;
    args.forEach((other, j) => {
      if (j === i) return;
      const v = contributions[j]!;
      if (energy) {
        if (other.kind === 'supports') sup += v;
        else att += v;
      } else if (other.kind === 'supports') sup *= 1 - v;
      else att *= 1 - v;
    });
    arg.scoreWithout = energy ? combine(sup, att) : combine(1 - sup, 1 - att);
  });

  if (energy) {
    const e = supportAggregate - attackAggregate;
    const delta = score - tau;
    args.forEach((arg, i) => {
      const v = contributions[i]!;
      arg.share = e === 0 ? 0 : (delta * (arg.kind === 'supports' ? v : -v)) / e;
    });
  } else {
    const k = supportAggregate >= attackAggregate ? 1 - tau : tau;
    for (const kind of ['supports', 'attacks'] as const) {
      const total = kind === 'supports' ? supportAggregate : attackAggregate;
      const sign = kind === 'supports' ? 1 : -1;
      const idx = args.map((a, i) => (a.kind === kind ? i : -1)).filter((i) => i >= 0);
      const certain = idx.filter((i) => contributions[i]! >= 1);
      let logSum = 0;
      for (const i of idx) logSum += -Math.log1p(-contributions[i]!);
      for (const i of idx) {
        const v = contributions[i]!;
        const fraction = certain.length > 0 ? (v >= 1 ? 1 / certain.length : 0) : logSum > 0 ? -Math.log1p(-v) / logSum : 0;
        args[i]!.share = sign * k * total * fraction;
      }
    }
  }

  let explained = tau;
  for (const a of args) explained += a.share;
  args.sort((p, q) => Math.abs(q.share) - Math.abs(p.share) || (p.relationIds[0]! < q.relationIds[0]! ? -1 : 1));
  return {
    claimId,
    semantics: result.semantics,
    score,
    base: describeBase(result, c),
    supportAggregate,
    attackAggregate,
    arguments: args,
    inCycle: g.blockCyclic[g.nodeBlock[c]!] === 1,
    unexplained: score - explained,
  };
}

function describeBase(result: ScoreResult, c: number): BaseExplanation {
  const id = result.graph.claimIds[c]!;
  const score = result.params.base[c]!;
  const agreement = tallyGetter(result.input?.agreement)(id);
  const credibility = tallyGetter(result.input?.credibility)(id);
  const fromVotes = voteScore(agreement);
  const tau = fromVotes ?? NEUTRAL_BASE;
  const nudge = credibilityNudge(tau, credibility, result.options.credibilityWeight, result.options.credibilityPrior);
  return {
    score,
    votes: fromVotes === undefined || agreement === undefined ? null : { count: agreement.count, mean: agreement.mean },
    fromVotes: tau,
    credibility: usable(credibility) ? { count: credibility.count, mean: credibility.mean, nudge } : null,
  };
}

function premisesOf(result: ScoreResult, a: number): PremiseExplanation[] {
  const g = result.graph;
  const n = g.claimCount + a;
  const out: PremiseExplanation[] = [];
  for (let p = g.depStart[n]!; p < g.argPremEnd[a]!; p++) {
    const c = g.deps[p]!;
    out.push({ claimId: g.claimIds[c]!, score: result.values[c]! });
  }
  return out;
}

function relationIdsOf(result: ScoreResult, a: number): string[] {
  const g = result.graph;
  const out: string[] = [];
  for (let q = g.argRelStart[a]!; q < g.argRelStart[a + 1]!; q++) out.push(g.relationIds[g.argRels[q]!]!);
  return out;
}

/** Effective weight of argument a: contribution / premises, recomputed so it is exact when premises are 0. */
function weightOf(result: ScoreResult, a: number): { undercut: number; weight: number } {
  const g = result.graph;
  const n = g.claimCount + a;
  let keep = 1;
  for (let p = g.argPremEnd[a]!; p < g.depStart[n + 1]!; p++) keep *= 1 - result.values[g.deps[p]!]!;
  return { undercut: 1 - keep, weight: result.params.weight[a]! * keep };
}

function describeArgument(result: ScoreResult, a: number): ArgumentExplanation {
  const g = result.graph;
  const C = g.claimCount;
  const n = C + a;
  const premises = premisesOf(result, a);
  let premiseStrength = 1;
  for (const p of premises) premiseStrength *= p.score;
  const relationIds = relationIdsOf(result, a);
  const impactOf = tallyGetter(result.input?.impact);
  const undercuts: UndercutExplanation[] = [];
  for (let p = g.argPremEnd[a]!; p < g.depStart[n + 1]!; p++) {
    const u = g.deps[p]! - C;
    undercuts.push({
      relationIds: relationIdsOf(result, u),
      group: g.argGroup[u]!,
      premises: premisesOf(result, u),
      weight: weightOf(result, u).weight,
      contribution: result.values[C + u]!,
    });
  }
  const { undercut, weight } = weightOf(result, a);
  return {
    kind: g.argKind[a] === ARG_SUPPORTS ? 'supports' : 'attacks',
    relationIds,
    group: g.argGroup[a]!,
    premises,
    premiseStrength,
    impact: pooledImpact(relationIds.map(impactOf)),
    baseWeight: result.params.weight[a]!,
    undercut,
    weight,
    undercuts,
    contribution: result.values[n]!,
    share: 0,
    scoreWithout: 0,
  };
}
