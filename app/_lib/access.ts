import { useCallback } from 'react';
import { queryOptions, useQuery, type QueryClient } from '@tanstack/react-query';
import { can, type Action, type ActionContext } from '@/lib/permissions';
import type { AccessInfo } from '@/lib/schemas/access';
import { apiFetch } from './api';

/**
 * The caller's access to one debate, for the canvas and the settings page. The UI decides with
 * the same `can` as the server (lib/permissions), from the role and settings the server sent;
 * the server still checks every request and every socket frame.
 */

/** Live-bus topics (GET /api/debates/[id]/events) after which these queries are stale. */
export const ACCESS_TOPICS = { access: 'access', hidden: 'hidden', revoked: 'access-revoked' } as const;

/** What a live event makes stale here: the role and settings, and the hidden claims ('*': everything). */
export function invalidateForTopic(qc: QueryClient, debateId: string, topic: string): Promise<void> {
  const all = topic === '*';
  return Promise.all([
    all || topic === ACCESS_TOPICS.access || topic === ACCESS_TOPICS.revoked
      ? qc.invalidateQueries({ queryKey: ['debate', debateId, 'access'] })
      : undefined,
    all || topic === ACCESS_TOPICS.hidden ? qc.invalidateQueries({ queryKey: ['debate', debateId, 'hidden'] }) : undefined,
  ]).then(() => undefined);
}

const q = (invite: string | undefined) => (invite ? `?invite=${encodeURIComponent(invite)}` : '');

/** GET /api/debates/[id]/access; `invite` presents a link for link-visible debates. */
export const debateAccessQuery = (debateId: string, invite?: string) =>
  queryOptions({
    queryKey: ['debate', debateId, 'access', invite ?? null],
    queryFn: () => apiFetch<AccessInfo>(`/api/debates/${encodeURIComponent(debateId)}/access${q(invite)}`),
    staleTime: 5_000,
    // A role can change while the page is open; the 'access' live event refetches sooner.
    refetchInterval: 60_000,
    retry: false,
  });

/** GET /api/debates/[id]/hidden: claim ids moderators hid; the canvas leaves them out. */
export const hiddenClaimsQuery = (debateId: string) =>
  queryOptions({
    queryKey: ['debate', debateId, 'hidden'],
    queryFn: () =>
      apiFetch<{ items: { claimId: string; hiddenBy: string | null; hiddenAt: string }[] }>(
        `/api/debates/${encodeURIComponent(debateId)}/hidden`,
      ),
    select: (d) => new Set(d.items.map((i) => i.claimId)),
    staleTime: 5_000,
  });

export interface DebateAccessState {
  access: AccessInfo | undefined;
  isPending: boolean;
  error: Error | null;
  /** May the caller do this now? false while loading. */
  allows: (action: Action, ctx?: ActionContext) => boolean;
  /** The awareness `user` field to publish: { name, colour } from the account. */
  presence: AccessInfo['presence'] | undefined;
}

export function useDebateAccess(debateId: string, opts: { invite?: string } = {}): DebateAccessState {
  const query = useQuery(debateAccessQuery(debateId, opts.invite));
  const data = query.data;
  const allows = useCallback(
    (action: Action, ctx?: ActionContext) => (data ? can(data.principal, data.access, data.grants, action, ctx).ok : false),
    [data],
  );
  return { access: data, isPending: query.isPending, error: query.error, allows, presence: data?.presence };
}
