'use client';

import { useEffect, useState } from 'react';
import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import { invalidateForTopic as invalidateEvidence, liveEventsUrl } from '@/app/_lib/evidence';
import { invalidateForTopic as invalidateStrength } from '@/app/_lib/votes';
import { invalidateForTopic as invalidateAccess } from '@/app/_lib/access';
import { invalidatePhaseForTopic } from '@/app/_lib/phase';
import { LIVE_TOPICS } from '@/lib/schemas/evidence';

export type LiveState = 'connecting' | 'open';

/**
 * Subscribes to the debate's server-sent events and turns each into a React Query
 * invalidation, so sources and evidence added elsewhere appear without a reload. EventSource
 * reconnects by itself; on every reconnect everything is refetched, since events sent while the
 * stream was down are lost.
 */
const invalidateForTopic = (qc: QueryClient, debateId: string, topic: string) =>
  Promise.all([
    invalidateEvidence(qc, debateId, topic),
    invalidateStrength(qc, debateId, topic),
    invalidateAccess(qc, debateId, topic),
    invalidatePhaseForTopic(qc, debateId, topic),
  ]);

export function useLiveEvents(debateId: string): LiveState {
  const qc = useQueryClient();
  const [state, setState] = useState<LiveState>('connecting');
  useEffect(() => {
    const es = new EventSource(liveEventsUrl(debateId));
    let everOpened = false;
    es.onopen = () => {
      if (everOpened) void invalidateForTopic(qc, debateId, LIVE_TOPICS.all);
      everOpened = true;
      setState('open');
    };
    es.onmessage = (m: MessageEvent<string>) => {
      let topic: unknown;
      try {
        topic = (JSON.parse(m.data) as { topic?: unknown }).topic;
      } catch {
        return;
      }
      if (typeof topic === 'string') void invalidateForTopic(qc, debateId, topic);
    };
    es.onerror = () => setState('connecting');
    return () => es.close();
  }, [debateId, qc]);
  return state;
}
