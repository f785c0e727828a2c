import { MAX_VOTE } from './formulas';
import type { ScoreResult } from './score';
import { baseSensitivity } from './sensitivity';
import { tallyGetter, type TallyTable, type VoteTally } from './types';

/*
 * The crux finder: claims people disagree about most that also matter most to a thesis, i.e.
 * where changing minds would move the thesis.
 *
 *   crux(c) = polarisation(c) · confidence(c) · |∂score(thesis)/∂τ'(c)|
 *
 * polarisation = Var(votes) / 4, the population variance of the 0..4 agreement votes divided by
 *   its largest possible value (4, an even split between 0 and 4). 0 is consensus, 0.5 a uniform
 *   spread, 1 two camps at opposite ends. Variance rather than a bimodality coefficient because
 *   on a five-point scale it already ranks "two camps" above "spread out" above "agreement",
 *   needs no minimum sample size and is easy to explain in a tooltip.
 * confidence   = n / (n + k), k = votePrior (default 4): two opposite votes are not yet a crux;
 *   forty split votes are.
 * influence    = |sensitivity|, from sensitivity.ts (exact adjoint, not perturbation). Its sign
 *   (kept in the result) says whether believing the claim more raises or lowers the thesis.
 */

export interface CruxOptions {
  /** How many cruxes to return. Default 10. */
  k?: number;
  /** k in confidence n / (n + k). Default 4. */
  votePrior?: number;
  /** List the thesis itself (its own votes move it most, so usually not wanted). Default false. */
  includeThesis?: boolean;
  /** Agreement tallies to read polarisation from. Default: result.input.agreement. */
  agreement?: TallyTable<VoteTally>;
}

export interface Polarisation {
  count: number;
  variance: number;
  /** variance / 4, in [0, 1]. */
  normalised: number;
}

export interface Crux {
  claimId: string;
  /** polarisation × confidence × influence: the ranking key. */
  crux: number;
  polarisation: number;
  variance: number;
  voteCount: number;
  confidence: number;
  /** ∂score(thesis)/∂τ'(claim): positive when the claim pushes the thesis up. */
  sensitivity: number;
  /** |sensitivity|. */
  influence: number;
  /** The claim's current score. */
  score: number;
}

export interface CruxReport {
  thesisId: string;
  thesisScore: number;
  cruxes: Crux[];
  /** False when the sensitivity iteration on some cycle did not converge. */
  converged: boolean;
  /**
   * Polarised claims whose influence on the thesis is undetermined (they feed it only through
   * a degenerate cycle; see sensitivity.ts), so they could not be ranked.
   */
  undetermined: string[];
}

const NO_POLARISATION: Polarisation = { count: 0, variance: 0, normalised: 0 };

/** Polarisation of a 0..4 vote distribution; zero for a missing or malformed one. */
export function polarisation(tally: Pick<VoteTally, 'distribution'> | undefined): Polarisation {
  const d = tally?.distribution;
  if (d === undefined || d.length !== MAX_VOTE + 1) return NO_POLARISATION;
  let n = 0;
  let sum = 0;
  for (let v = 0; v <= MAX_VOTE; v++) {
    const k = d[v]!;
    if (!(k >= 0) || !Number.isFinite(k)) return NO_POLARISATION;
    n += k;
    sum += v * k;
  }
  if (n === 0) return NO_POLARISATION;
  const mean = sum / n;
  let sq = 0;
  for (let v = 0; v <= MAX_VOTE; v++) sq += d[v]! * (v - mean) * (v - mean);
  const variance = sq / n;
  return { count: n, variance, normalised: Math.min(1, variance / MAX_VOTE) };
}

/** Top-k cruxes for a thesis; undefined for an unknown thesis id. */
export function findCruxes(result: ScoreResult, thesisId: string, options: CruxOptions = {}): CruxReport | undefined {
  const sensitivity = baseSensitivity(result, thesisId);
  if (sensitivity === undefined) return undefined;
  const k = options.k ?? 10;
  const prior = options.votePrior ?? 4;
  if (!(prior >= 0)) throw new RangeError(`votePrior must be >= 0, got ${prior}`);
  const agreement = tallyGetter(options.agreement ?? result.input?.agreement);
  const g = result.graph;
  const thesis = g.claimIndex.get(thesisId)!;
  const candidates: Crux[] = [];
  const undetermined: string[] = [];
  for (let c = 0; c < g.claimCount; c++) {
    const s = sensitivity.values[c]!;
    if (s === 0 || (c === thesis && options.includeThesis !== true)) continue;
    const claimId = g.claimIds[c]!;
    const pol = polarisation(agreement(claimId));
    if (pol.normalised === 0) continue;
    if (Number.isNaN(s)) {
      undetermined.push(claimId);
      continue;
    }
    const confidence = pol.count / (pol.count + prior);
    const influence = Math.abs(s);
    candidates.push({
      claimId,
      crux: pol.normalised * confidence * influence,
      polarisation: pol.normalised,
      variance: pol.variance,
      voteCount: pol.count,
      confidence,
      sensitivity: s,
      influence,
      score: result.scores[c]!,
    });
  }
  // Ties broken by id so every client shows the same order.
  candidates.sort((p, q) => q.crux - p.crux || (p.claimId < q.claimId ? -1 : p.claimId > q.claimId ? 1 : 0));
  return {
    thesisId,
    thesisScore: result.scores[thesis]!,
    cruxes: candidates.slice(0, Math.max(0, k)),
    converged: sensitivity.converged,
    undetermined,
  };
}
