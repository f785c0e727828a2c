import { infiniteQueryOptions, queryOptions, type QueryClient } from '@tanstack/react-query';
import {
  LIVE_TOPICS,
  type CreateEvidenceInput,
  type CreateSourceInput,
  type CreateSourceResult,
  type EvidenceDto,
  type EvidenceSummary,
  type Page,
  type SearchResults,
  type SourceDto,
  type SourceKind,
  type UpdateEvidenceInput,
  type UpdateSourceInput,
} from '@/lib/schemas/evidence';
import { apiFetch } from './api';

/**
 * The evidence feature's API calls and React Query options, each defined once. Every key starts
 * with ['debate', id, 'evidence-feature'] so that a live event can invalidate them together.
 */

const base = (debateId: string) => `/api/debates/${encodeURIComponent(debateId)}`;

export const evidenceKeys = {
  all: (debateId: string) => ['debate', debateId, 'evidence-feature'] as const,
  sources: (debateId: string, filter: SourceFilter) => [...evidenceKeys.all(debateId), 'sources', filter] as const,
  claimEvidence: (debateId: string, claimId: string) => [...evidenceKeys.all(debateId), 'claim', claimId] as const,
  summary: (debateId: string) => [...evidenceKeys.all(debateId), 'summary'] as const,
  search: (debateId: string, q: string) => [...evidenceKeys.all(debateId), 'search', q] as const,
};

export interface SourceFilter {
  q: string;
  kind: SourceKind | '';
}

const qs = (params: Record<string, string | number | undefined>) => {
  const s = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') s.set(k, String(v));
  return s.toString();
};

export const sourcesQuery = (debateId: string, filter: SourceFilter) =>
  infiniteQueryOptions({
    queryKey: evidenceKeys.sources(debateId, filter),
    queryFn: ({ pageParam }) =>
      apiFetch<Page<SourceDto>>(`${base(debateId)}/sources?${qs({ q: filter.q.trim(), kind: filter.kind, cursor: pageParam, limit: 50 })}`),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });

export const claimEvidenceQuery = (debateId: string, claimId: string) =>
  infiniteQueryOptions({
    queryKey: evidenceKeys.claimEvidence(debateId, claimId),
    queryFn: ({ pageParam }) => apiFetch<Page<EvidenceDto>>(`${base(debateId)}/evidence?${qs({ claimId, cursor: pageParam, limit: 100 })}`),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });

export const evidenceSummaryQuery = (debateId: string) =>
  queryOptions({
    queryKey: evidenceKeys.summary(debateId),
    queryFn: () => apiFetch<EvidenceSummary>(`${base(debateId)}/evidence/summary`),
  });

export const searchQuery = (debateId: string, q: string) =>
  queryOptions({
    queryKey: evidenceKeys.search(debateId, q),
    queryFn: () => apiFetch<SearchResults>(`${base(debateId)}/search?${qs({ q, limit: 8 })}`),
    enabled: q.trim().length > 0,
    // Keeps the previous results on screen while the next keystroke's arrive.
    placeholderData: (prev) => prev,
  });

const send = <T>(url: string, method: string, body?: unknown) =>
  apiFetch<T>(url, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });

export const createSource = (debateId: string, input: CreateSourceInput) =>
  send<CreateSourceResult>(`${base(debateId)}/sources`, 'POST', input);
export const updateSource = (debateId: string, sourceId: string, patch: UpdateSourceInput) =>
  send<SourceDto>(`${base(debateId)}/sources/${encodeURIComponent(sourceId)}`, 'PATCH', patch);
export const deleteSource = (debateId: string, sourceId: string) =>
  send<null>(`${base(debateId)}/sources/${encodeURIComponent(sourceId)}`, 'DELETE');
export const rateSource = (debateId: string, sourceId: string, rating: number | null) =>
  rating === null
    ? send<SourceDto>(`${base(debateId)}/sources/${encodeURIComponent(sourceId)}/rating`, 'DELETE')
    : send<SourceDto>(`${base(debateId)}/sources/${encodeURIComponent(sourceId)}/rating`, 'PUT', { rating });

export const addEvidence = (debateId: string, input: CreateEvidenceInput) => send<EvidenceDto>(`${base(debateId)}/evidence`, 'POST', input);
export const updateEvidence = (debateId: string, evidenceId: string, patch: UpdateEvidenceInput) =>
  send<EvidenceDto>(`${base(debateId)}/evidence/${encodeURIComponent(evidenceId)}`, 'PATCH', patch);
export const deleteEvidence = (debateId: string, evidenceId: string) =>
  send<null>(`${base(debateId)}/evidence/${encodeURIComponent(evidenceId)}`, 'DELETE');

export const liveEventsUrl = (debateId: string) => `${base(debateId)}/events`;

/**
 * What a live event makes stale. Sources embed evidence counts and evidence embeds its source,
 * and claims (deleted / restored) change which evidence is visible: any of the three refetches
 * the whole feature, which is a handful of small queries.
 */
export function invalidateForTopic(qc: QueryClient, debateId: string, topic: string): Promise<void> {
  const ours: string[] = [LIVE_TOPICS.sources, LIVE_TOPICS.evidence, LIVE_TOPICS.claims, LIVE_TOPICS.all];
  if (!ours.includes(topic)) return Promise.resolve();
  return qc.invalidateQueries({ queryKey: evidenceKeys.all(debateId) });
}

/** An href only for http(s) links: a stored URL is normalised, but never trust it into an <a>. */
export function safeHref(url: string | null): string | undefined {
  if (!url) return undefined;
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.toString() : undefined;
  } catch {
    return undefined;
  }
}
