import { MAX_VOTE } from '@/lib/scoring/formulas';
import type { Semantics } from '@/lib/scoring/types';

/**
 * How strength, votes and impact look, in one place so the canvas, the outline and the panels
 * agree. Every colour comes with a number or a word next to it: colour is never the only cue.
 */

/**
 * Diverging scale from Okabe–Ito vermillion (weak, 0) through a neutral grey (undecided, 0.5) to
 * Okabe–Ito blue (strong, 1). Both ends stay apart under deuteranopia, protanopia and tritanopia,
 * and the grey midpoint keeps "undecided" from reading as either side.
 */
const STOPS: readonly [number, number, number][] = [
  [0xd5, 0x5e, 0x00],
  [0x9a, 0x9a, 0x94],
  [0x00, 0x72, 0xb2],
];

export function strengthColour(score: number): string {
  const s = Number.isFinite(score) ? Math.min(1, Math.max(0, score)) : 0.5;
  const [lo, hi, t] = s < 0.5 ? [STOPS[0]!, STOPS[1]!, s * 2] : [STOPS[1]!, STOPS[2]!, (s - 0.5) * 2];
  const mix = (i: number) => Math.round(lo[i]! + (hi[i]! - lo[i]!) * t);
  return `rgb(${mix(0)}, ${mix(1)}, ${mix(2)})`;
}

export const percent = (score: number): string => `${Math.round(score * 100)}%`;

/** A difference of two scores in percentage points, signed: "+12 pts", "−3 pts", "±0 pts". */
export function points(delta: number): string {
  const p = Math.round(delta * 100);
  return p > 0 ? `+${p} pts` : p < 0 ? `−${-p} pts` : '±0 pts';
}

/** The agreement scale, 0..4, as voters see it. */
export const AGREEMENT_LABELS = ['certainly false', 'probably false', 'undecided', 'probably true', 'certainly true'] as const;

/** The impact scale of a relation, 0..4: how much the argument would matter if its premise held. */
export const IMPACT_LABELS = ['no impact', 'weak', 'moderate', 'strong', 'decisive'] as const;

export const VOTE_VALUES = Array.from({ length: MAX_VOTE + 1 }, (_, v) => v);

/**
 * Edge stroke width from impact votes: 1 + mean impact px, so 1 px at "no impact" (0) up to 5 px
 * at "decisive" (4), linear because the scoring weight (mean / 4) is linear in the mean. An
 * edge nobody has rated keeps the plain 2 px: scoring then gives it full weight, but drawing every
 * unrated edge at 5 px would shout about an absence of votes.
 */
export function impactStrokeWidth(count: number | undefined, mean: number | undefined): number {
  if (!count || mean === undefined || !Number.isFinite(mean)) return 2;
  return 1 + Math.min(MAX_VOTE, Math.max(0, mean));
}

export const fixed1 = (x: number): string => x.toFixed(1);

export const votesWord = (n: number): string => `${n} vote${n === 1 ? '' : 's'}`;

export const SEMANTICS_LABEL: Record<Semantics, string> = { dfquad: 'DF-QuAD', 'quadratic-energy': 'Quadratic energy' };
