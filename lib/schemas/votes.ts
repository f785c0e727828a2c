import { z } from 'zod';
import type { ClaimExplanation } from '../scoring/explain';
import type { Crux } from '../scoring/crux';
import { MAX_VOTE } from '../scoring/formulas';
import { SEMANTICS, type Semantics } from '../scoring/types';
import { entityIdSchema } from './evidence';

/**
 * Votes and strength: request schemas (parsed by the route handlers, typed into the client
 * helpers) and response shapes. Schema failures are 400s naming the field; whether the target
 * exists is a 422 from server/services/votes.ts.
 */

/** Agreement votes go on claims, impact votes on relations. */
export const VOTE_TARGETS = ['claim', 'relation'] as const;
export type VoteTarget = (typeof VOTE_TARGETS)[number];

/** The live-event topic of a vote change: clients refetch tallies and strength. */
export const VOTES_TOPIC = 'votes';

const targetFields = {
  targetKind: z.enum(VOTE_TARGETS),
  targetId: entityIdSchema,
};

export const castVoteSchema = z.object({
  ...targetFields,
  value: z
    .number()
    .int('value must be a whole number')
    .min(0, 'value must be between 0 and 4')
    .max(MAX_VOTE, `value must be between 0 and ${MAX_VOTE}`),
});
export type CastVote = z.output<typeof castVoteSchema>;

/** DELETE /votes?targetKind=&targetId=: a retraction names its target in the query. */
export const retractVoteQuerySchema = z.object(targetFields);
export type RetractVote = z.output<typeof retractVoteQuerySchema>;

export interface VoteTallyDto {
  targetKind: VoteTarget;
  targetId: string;
  count: number;
  /** Mean vote, 0..4. */
  mean: number;
  /** distribution[v] = votes of value v, v = 0..4. */
  distribution: number[];
}

export interface MyVoteDto {
  targetKind: VoteTarget;
  targetId: string;
  value: number;
  updatedAt: string;
}

/** GET /votes: every tally of the debate, and the caller's own votes (none for a visitor). */
export interface VotesDto {
  tallies: VoteTallyDto[];
  mine: MyVoteDto[];
}

/** PUT /votes: the caller's vote as stored, and the target's tally after it. */
export interface CastVoteResult {
  vote: MyVoteDto;
  tally: VoteTallyDto;
}

/**
 * Whose votes and source ratings the scores are computed from: `everyone`, `user:<userId>` (one
 * person) or `team:<teamId>` (the team's current members together). Who may ask for which:
 * lib/permissions canViewPerspective.
 */
export type Perspective = { kind: 'everyone' } | { kind: 'user'; id: string } | { kind: 'team'; id: string };

const PERSPECTIVE_RE = /^(user|team):([A-Za-z0-9_-]{1,64})$/;

export const perspectiveSchema = z.union([
  z.literal('everyone'),
  z.string().regex(PERSPECTIVE_RE, 'perspective must be everyone, user:<id> or team:<id>'),
]);

export function parsePerspective(p: string): Perspective {
  if (p === 'everyone') return { kind: 'everyone' };
  const m = PERSPECTIVE_RE.exec(p);
  if (!m) throw new RangeError(`not a perspective: ${p}`);
  return { kind: m[1] as 'user' | 'team', id: m[2]! };
}

export const perspectiveString = (p: Perspective): string => (p.kind === 'everyone' ? 'everyone' : `${p.kind}:${p.id}`);

export const strengthQuerySchema = z.object({
  semantics: z.enum(SEMANTICS).default('dfquad'),
  perspective: perspectiveSchema.default('everyone'),
});
export type StrengthQuery = z.output<typeof strengthQuerySchema>;

export const explainQuerySchema = strengthQuerySchema.extend({ claimId: entityIdSchema });
export type ExplainQuery = z.output<typeof explainQuerySchema>;

export interface CycleDto {
  claimIds: string[];
  relationIds: string[];
  converged: boolean;
  iterations: number;
  residual: number;
}

export interface StrengthDto {
  semantics: Semantics;
  perspective: string;
  /** Score in [0, 1] per live claim. */
  scores: Record<string, number>;
  /** False when some cycle hit the iteration limit: its scores are the last iterate. */
  converged: boolean;
  iterations: number;
  cycles: CycleDto[];
  /** The first thesis (oldest, then smallest id), or null when the map has none. */
  thesis: { claimId: string; score: number } | null;
  /** The top 5 cruxes for that thesis; empty without a thesis. */
  cruxes: Crux[];
  /** Which inputs fed the scores. */
  inputs: { agreementTallies: number; impactTallies: number; credibilityTallies: number };
}

export interface ExplainDto {
  semantics: Semantics;
  perspective: string;
  explanation: ClaimExplanation;
}
