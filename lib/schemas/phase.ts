import { z } from 'zod';
import { PHASES, type Phase } from '../permissions';
import { SEMANTICS, type Semantics } from '../scoring/types';
import { LIVE_TOPICS } from './evidence';

/**
 * Debate phases ([strength]): open (map and votes), voting (votes only: the map is frozen) and
 * closed (nothing changes; the standing at closing is recorded). Moderators move a debate
 * between any two phases. Request schemas are parsed by the routes and typed into app/_lib/phase.ts.
 */

/** The live-event topic of a phase change (the 'access' topic follows too: what is allowed changed). */
export const PHASE_TOPIC = LIVE_TOPICS.phase;

export const phaseSchema = z.enum(PHASES, { message: `phase must be one of ${PHASES.join(', ')}` });

/** PUT /api/debates/[id]/phase (moderators). */
export const setPhaseSchema = z.object({
  phase: phaseSchema,
  /** How the standing recorded by a closing is scored. */
  semantics: z.enum(SEMANTICS, { message: `semantics must be one of ${SEMANTICS.join(', ')}` }).default('dfquad'),
});
export type SetPhaseInput = z.input<typeof setPhaseSchema>;

/** GET /api/debates/[id]/standing?limit= */
export const standingQuerySchema = z.object({
  limit: z.coerce
    .number()
    .int('limit must be a whole number')
    .min(1, 'limit must be at least 1')
    .max(100, 'limit must be at most 100')
    .default(20),
});

/** The scores from everyone's votes at one closing of the debate. */
export interface StandingDto {
  id: string;
  debateId: string;
  closedAt: string;
  closedBy: { id: string | null; name: string };
  semantics: Semantics;
  /** The first thesis and its score, or null when the map had none. */
  thesis: { claimId: string; score: number } | null;
  /** Score in [0, 1] per live claim. */
  scores: Record<string, number>;
  /** Agreement and impact votes in the debate at closing. */
  voteCount: number;
}

/** GET and PUT /api/debates/[id]/phase. */
export interface PhaseDto {
  phase: Phase;
  /** The standing recorded at the latest closing, or null when the debate never closed. */
  standing: StandingDto | null;
}

/** GET /api/debates/[id]/standing: every recorded closing, newest first. */
export interface StandingsDto {
  items: StandingDto[];
}
