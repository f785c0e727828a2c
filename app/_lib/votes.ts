import { queryOptions, type QueryClient } from '@tanstack/react-query';
import { LIVE_TOPICS } from '@/lib/schemas/evidence';
import type { Semantics } from '@/lib/scoring/types';
import { VOTES_TOPIC, type CastVoteResult, type ExplainDto, type StrengthDto, type VoteTarget, type VotesDto } from '@/lib/schemas/votes';
import { apiFetch } from './api';

/**
 * The votes and strength API calls and React Query options, each defined once. Every key starts
 * with ['debate', id, 'strength-feature'] so that a live event can invalidate them together.
 */

const base = (debateId: string) => `/api/debates/${encodeURIComponent(debateId)}`;

export interface StrengthParams {
  semantics: Semantics;
  /** 'everyone', 'user:<id>' or 'team:<id>' (lib/permissions canViewPerspective says who may ask). */
  perspective: string;
}

export const voteKeys = {
  all: (debateId: string) => ['debate', debateId, 'strength-feature'] as const,
  tallies: (debateId: string) => [...voteKeys.all(debateId), 'votes'] as const,
  strength: (debateId: string, p: StrengthParams) => [...voteKeys.all(debateId), 'strength', p] as const,
  explain: (debateId: string, p: StrengthParams, claimId: string) => [...voteKeys.all(debateId), 'explain', p, claimId] as const,
};

const qs = (params: Record<string, string>) => new URLSearchParams(params).toString();

export const talliesQuery = (debateId: string) =>
  queryOptions({
    queryKey: voteKeys.tallies(debateId),
    queryFn: () => apiFetch<VotesDto>(`${base(debateId)}/votes`),
  });

export const strengthQuery = (debateId: string, p: StrengthParams) =>
  queryOptions({
    queryKey: voteKeys.strength(debateId, p),
    queryFn: () => apiFetch<StrengthDto>(`${base(debateId)}/strength?${qs({ semantics: p.semantics, perspective: p.perspective })}`),
    // Keeps the previous scores on screen while new ones load, so bars move instead of blinking.
    placeholderData: (prev) => prev,
  });

export const explainQuery = (debateId: string, p: StrengthParams, claimId: string) =>
  queryOptions({
    queryKey: voteKeys.explain(debateId, p, claimId),
    queryFn: () =>
      apiFetch<ExplainDto>(`${base(debateId)}/strength/explain?${qs({ semantics: p.semantics, perspective: p.perspective, claimId })}`),
  });

export const castVote = (debateId: string, targetKind: VoteTarget, targetId: string, value: number) =>
  apiFetch<CastVoteResult>(`${base(debateId)}/votes`, { method: 'PUT', body: JSON.stringify({ targetKind, targetId, value }) });

export const retractVote = (debateId: string, targetKind: VoteTarget, targetId: string) =>
  apiFetch<null>(`${base(debateId)}/votes?${qs({ targetKind, targetId })}`, { method: 'DELETE' });

/**
 * What a live event makes stale. Votes change tallies and scores; evidence, sources (ratings)
 * and claims change credibility and which claims count. Map edits arrive through the Yjs
 * document, not the live channel: a UI showing scores also refetches (or rescores locally with
 * lib/scoring) when the document changes.
 */
export function invalidateForTopic(qc: QueryClient, debateId: string, topic: string): Promise<void> {
  // A phase change opens or closes voting (the access payload carries the phase) and may record a standing.
  if (topic === LIVE_TOPICS.phase || topic === LIVE_TOPICS.all) void qc.invalidateQueries({ queryKey: ['debate', debateId, 'access'] });
  const ours: string[] = [VOTES_TOPIC, LIVE_TOPICS.sources, LIVE_TOPICS.evidence, LIVE_TOPICS.claims, LIVE_TOPICS.phase, LIVE_TOPICS.all];
  if (!ours.includes(topic)) return Promise.resolve();
  return qc.invalidateQueries({ queryKey: voteKeys.all(debateId) });
}
