import type { Database } from '../db/client';

/** A change other clients of a debate should hear about (evidence, sources, votes…). */
export interface LiveEvent {
  debateId: string;
  /** What changed, e.g. 'evidence' or 'votes'; clients invalidate the matching queries. */
  topic: string;
}

/** Debate-scoped notifications that cross instances ([evidence] routes them through the database). */
export interface LiveBus {
  publish(event: LiveEvent): Promise<void>;
  subscribe(debateId: string, listener: (event: LiveEvent) => void): () => void;
  close(): Promise<void>;
}

/** In-process bus: enough for one instance until the database-backed one lands. */
export async function startLiveBus(_db: Database): Promise<LiveBus> {
  const listeners = new Map<string, Set<(e: LiveEvent) => void>>();
  return {
    publish: async (e) => {
      for (const l of listeners.get(e.debateId) ?? []) l(e);
    },
    subscribe: (debateId, listener) => {
      let set = listeners.get(debateId);
      if (!set) listeners.set(debateId, (set = new Set()));
      set.add(listener);
      return () => set.delete(listener);
    },
    close: async () => listeners.clear(),
  };
}
