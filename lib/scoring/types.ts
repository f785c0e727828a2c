import type { ArgumentGraph } from '../model/graph';

/**
 * A tally of votes on the 0..4 scale (agreement with a claim, or impact of a relation). The
 * server keeps these; scoring only reads them.
 */
export interface VoteTally {
  /** Number of votes. Zero (or a non-finite value) means "no votes". */
  count: number;
  /** Mean vote, 0..4. Out-of-range values are clamped. */
  mean: number;
  /** distribution[v] = number of votes of value v, v = 0..4. Read only by the crux finder. */
  distribution: readonly number[];
}

/** Impact votes need no distribution: only the mean and count feed a relation's weight. */
export type ImpactTally = Pick<VoteTally, 'count' | 'mean'>;

/** Ratings of the sources cited for a claim, on the 1..5 scale. */
export interface CredibilityTally {
  count: number;
  /** Mean rating, 1..5. Out-of-range values are clamped. */
  mean: number;
}

/**
 * Tallies keyed by claim or relation id. A Map or a plain object both work, because tallies
 * arrive as JSON from the server but are kept in Maps by live clients.
 */
export type TallyTable<T> = ReadonlyMap<string, T> | Readonly<Record<string, T>>;

export interface ScoringInput {
  graph: ArgumentGraph;
  /** Agreement votes by claim id. */
  agreement?: TallyTable<VoteTally>;
  /** Impact votes by relation id. */
  impact?: TallyTable<ImpactTally>;
  /** Source credibility by claim id. */
  credibility?: TallyTable<CredibilityTally>;
}

export const SEMANTICS = ['dfquad', 'quadratic-energy'] as const;
export type Semantics = (typeof SEMANTICS)[number];

export interface ScoringOptions {
  /** Default 'dfquad'. */
  semantics?: Semantics;
  /** Cyclic parts stop once no value would move by more than this. Default 1e-9. */
  tolerance?: number;
  /** Sweeps allowed per cyclic component before giving up (reported as not converged). Default 1000. */
  maxIterations?: number;
  /**
   * First step of the damped iteration on cycles, in (0, 1]: σ ← σ + step·(f(σ) − σ). The step
   * halves (down to 1/64) whenever a sweep fails to shrink the residual: 1 is plain Jacobi and
   * fastest where it converges, but oscillates forever on e.g. a mutual attack between two
   * certain claims, which a half step settles at once. Default 1.
   */
  step?: number;
  /** w in the credibility nudge (see baseScore in formulas.ts), in [0, 1]. Default 0.2. */
  credibilityWeight?: number;
  /** k in the credibility confidence n/(n + k). Default 2. */
  credibilityPrior?: number;
}

export type ResolvedScoringOptions = Readonly<Required<ScoringOptions>>;

export const DEFAULT_SCORING_OPTIONS: ResolvedScoringOptions = {
  semantics: 'dfquad',
  tolerance: 1e-9,
  maxIterations: 1000,
  step: 1,
  credibilityWeight: 0.2,
  credibilityPrior: 2,
};

/** Fills defaults and rejects settings that would make scores leave [0, 1] or never stop. */
export function resolveScoringOptions(options: ScoringOptions = {}): ResolvedScoringOptions {
  const o = { ...DEFAULT_SCORING_OPTIONS };
  for (const [k, v] of Object.entries(options)) if (v !== undefined) (o as Record<string, unknown>)[k] = v;
  if (!SEMANTICS.includes(o.semantics)) throw new RangeError(`unknown semantics ${String(o.semantics)}`);
  if (!(o.tolerance > 0)) throw new RangeError(`tolerance must be > 0, got ${o.tolerance}`);
  if (!Number.isInteger(o.maxIterations) || o.maxIterations < 1)
    throw new RangeError(`maxIterations must be a positive integer, got ${o.maxIterations}`);
  if (!(o.step > 0 && o.step <= 1)) throw new RangeError(`step must be in (0, 1], got ${o.step}`);
  if (!(o.credibilityWeight >= 0 && o.credibilityWeight <= 1))
    throw new RangeError(`credibilityWeight must be in [0, 1], got ${o.credibilityWeight}`);
  if (!(o.credibilityPrior >= 0 && Number.isFinite(o.credibilityPrior)))
    throw new RangeError(`credibilityPrior must be a finite number >= 0, got ${o.credibilityPrior}`);
  return o;
}

/**
 * A lookup function for a tally table, chosen once per table so the per-id path has no type
 * test. Plain objects are read through hasOwn: claim ids such as "constructor" are legal.
 */
export function tallyGetter<T>(table: TallyTable<T> | undefined): (id: string) => T | undefined {
  if (table === undefined) return () => undefined;
  if (table instanceof Map) {
    const m = table as ReadonlyMap<string, T>;
    return (id) => m.get(id);
  }
  const rec = table as Readonly<Record<string, T>>;
  return (id) => (Object.hasOwn(rec, id) ? rec[id] : undefined);
}
