import { queryOptions, type QueryClient } from '@tanstack/react-query';
import { LIVE_TOPICS } from '@/lib/schemas/evidence';
import { PHASE_TOPIC, type PhaseDto, type SetPhaseInput, type StandingsDto } from '@/lib/schemas/phase';
import { apiFetch } from './api';

/**
 * The phase API calls and React Query options. Keys start with ['debate', id, 'phase'] so that a
 * 'phase' live event invalidates them together; the 'access' event that follows every phase
 * change refetches useDebateAccess (whose `phase` and allowed actions change with it).
 */

const base = (debateId: string) => `/api/debates/${encodeURIComponent(debateId)}`;

export const phaseKeys = {
  all: (debateId: string) => ['debate', debateId, 'phase'] as const,
  current: (debateId: string) => [...phaseKeys.all(debateId), 'current'] as const,
  standings: (debateId: string, limit: number) => [...phaseKeys.all(debateId), 'standings', limit] as const,
};

/** GET /phase: { phase, standing } (the standing of the latest closing, or null). */
export const phaseQuery = (debateId: string) =>
  queryOptions({
    queryKey: phaseKeys.current(debateId),
    queryFn: () => apiFetch<PhaseDto>(`${base(debateId)}/phase`),
  });

/** GET /standing: every closing's standing, newest first. */
export const standingsQuery = (debateId: string, limit = 20) =>
  queryOptions({
    queryKey: phaseKeys.standings(debateId, limit),
    queryFn: () => apiFetch<StandingsDto>(`${base(debateId)}/standing?limit=${limit}`),
  });

/** PUT /phase (moderators; lib/permissions 'debate.phase'). 409 when the debate is already in that phase. */
export const setPhase = (debateId: string, input: SetPhaseInput) =>
  apiFetch<PhaseDto>(`${base(debateId)}/phase`, { method: 'PUT', body: JSON.stringify(input) });

/** What a live event makes stale: phase and standings on 'phase', everything after a reconnect ('*'). */
export function invalidatePhaseForTopic(qc: QueryClient, debateId: string, topic: string): Promise<void> {
  if (topic !== PHASE_TOPIC && topic !== LIVE_TOPICS.all) return Promise.resolve();
  return qc.invalidateQueries({ queryKey: phaseKeys.all(debateId) });
}
