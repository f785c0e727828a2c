import type { CredibilityTally, ImpactTally, VoteTally } from './types';

/*
 * The scalar formulas of Crux's strength scoring, kept apart from the graph machinery so each
 * can be read, tested and cited on its own. score.ts applies them over the whole graph.
 */

/** Highest vote on the agreement and impact scales (votes are 0..4). */
export const MAX_VOTE = 4;

/** The base score of a claim nobody has voted on: no reason to lean either way. */
export const NEUTRAL_BASE = 0.5;

function clamp01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}

/** A tally counts only with a positive, finite count and a finite mean. */
export function usable(t: { count: number; mean: number } | undefined): t is { count: number; mean: number } {
  return t !== undefined && t.count > 0 && Number.isFinite(t.count) && Number.isFinite(t.mean);
}

/** A vote mean clamped to the 0..4 scale. */
export function clampVote(mean: number): number {
  return Math.min(MAX_VOTE, Math.max(0, mean));
}

/** τ from agreement votes alone: mean/4, or undefined when there are no usable votes. */
export function voteScore(agreement: Pick<VoteTally, 'count' | 'mean'> | undefined): number | undefined {
  return usable(agreement) ? clampVote(agreement.mean) / MAX_VOTE : undefined;
}

/** How far source credibility moves a base score; see baseScore. */
export function credibilityNudge(tau: number, credibility: CredibilityTally | undefined, weight: number, prior: number): number {
  if (!usable(credibility) || weight === 0) return 0;
  const c = (Math.min(5, Math.max(1, credibility.mean)) - 1) / 4;
  const confidence = credibility.count / (credibility.count + prior);
  return weight * confidence * (c - 0.5) * (1 - Math.abs(2 * tau - 1));
}

/**
 * Base score τ' of a claim, in [0, 1]:
 *
 *   τ  = mean agreement / 4, or 0.5 with no votes
 *   c  = (mean credibility − 1) / 4          source credibility mapped from 1..5 to 0..1
 *   n  = number of credibility ratings,  conf = n / (n + k)      (k = credibilityPrior, 2)
 *   τ' = clamp(τ + w · conf · (c − 0.5) · (1 − |2τ − 1|))       (w = credibilityWeight, 0.2)
 *
 * Why this shape: votes are the community's judgement and stay primary; sources only nudge.
 * (1 − |2τ − 1|) is 1 at τ = 0.5 and 0 at τ = 0 or 1, so evidence moves an undecided claim most
 * and never overrides a unanimous vote; it also bounds the nudge by min(τ, 1 − τ)·w, which keeps
 * τ' inside [0, 1] for any w ≤ 1 (the clamp only absorbs rounding). conf makes one rating count
 * for a third of the full nudge and many ratings for nearly all of it; with no ratings there is
 * no nudge. With w = 0.2 the largest possible move is ±0.1, at τ = 0.5.
 */
export function baseScore(
  agreement: Pick<VoteTally, 'count' | 'mean'> | undefined,
  credibility: CredibilityTally | undefined,
  credibilityWeight: number,
  credibilityPrior: number,
): number {
  const tau = voteScore(agreement) ?? NEUTRAL_BASE;
  return clamp01(tau + credibilityNudge(tau, credibility, credibilityWeight, credibilityPrior));
}

/**
 * Weight of an inference (a relation, or a linked group of relations pooled together) before
 * undercuts: the mean impact vote / 4, pooled over all impact votes on the group's relations
 * (Σ mean·count / Σ count). With no impact votes the weight is 1: the author asserted the
 * relation and nobody has disputed its relevance, so it counts fully, which is also plain
 * unweighted DF-QuAD. Undercuts then scale it down (score.ts).
 */
export function pooledWeight(tallies: Iterable<ImpactTally | undefined>): number {
  const pooled = pooledImpact(tallies);
  return pooled === null ? 1 : pooled.mean / MAX_VOTE;
}

/** Impact votes pooled over a linked group's relations, or null when there are none. */
export function pooledImpact(tallies: Iterable<ImpactTally | undefined>): { count: number; mean: number } | null {
  let sum = 0;
  let count = 0;
  for (const t of tallies) {
    if (!usable(t)) continue;
    sum += clampVote(t.mean) * t.count;
    count += t.count;
  }
  return count > 0 ? { count, mean: sum / count } : null;
}

/** DF-QuAD aggregation F(v1..vn) = 1 − ∏(1 − vi), F() = 0: a probabilistic sum, in [0, 1]. */
export function aggregate(values: Iterable<number>): number {
  let keep = 1;
  for (const v of values) keep *= 1 - v;
  return 1 - keep;
}

/**
 * DF-QuAD combination (Rago et al., KR 2016):
 *   C(v0, va, vs) = v0                          if va = vs
 *                 = v0 − v0·|vs − va|           if va > vs
 *                 = v0 + (1 − v0)·|vs − va|     if va < vs
 * Clamped, so rounding never leaves [0, 1].
 */
export function dfquadCombine(v0: number, va: number, vs: number): number {
  const d = vs - va;
  return clamp01(d >= 0 ? v0 + (1 - v0) * d : v0 + v0 * d);
}

/** Quadratic-energy influence h(E) = E² / (1 + E²), for E ≥ 0 (Potyka, KR 2018). */
export function energyInfluence(e: number): number {
  const e2 = e * e;
  return e2 / (1 + e2);
}

/** dh/dE = 2E / (1 + E²)². */
export function energyInfluenceDerivative(e: number): number {
  const d = 1 + e * e;
  return (2 * e) / (d * d);
}

/**
 * Quadratic-energy update (Potyka, KR 2018): with energy E = Σ w·s(supporters) − Σ w·s(attackers),
 *   s = τ + (1 − τ)·h(E)     if E ≥ 0
 *   s = τ − τ·h(−E)          if E < 0
 */
export function quadraticEnergyCombine(tau: number, energy: number): number {
  return clamp01(energy >= 0 ? tau + (1 - tau) * energyInfluence(energy) : tau - tau * energyInfluence(-energy));
}
