import { randomUUID } from 'node:crypto';
import type { Database } from '../db/client';

/** A change other clients of a debate should hear about (evidence, sources, votes…). */
export interface LiveEvent {
  debateId: string;
  /** What changed, e.g. 'evidence' or 'votes'; clients invalidate the matching queries. */
  topic: string;
}

/** Debate-scoped notifications that cross instances through the database. */
export interface LiveBus {
  publish(event: LiveEvent): Promise<void>;
  subscribe(debateId: string, listener: (event: LiveEvent) => void): () => void;
  /** Listeners of a debate in this process (tests, diagnostics). */
  subscriberCount(debateId: string): number;
  close(): Promise<void>;
}

/** The one NOTIFY channel; every instance listens to it and filters by debate locally. */
export const LIVE_CHANNEL = 'crux_live';

/** On the wire: the event, plus which instance sent it so that it skips its own echo. */
interface Wire extends LiveEvent {
  from?: string;
}

const MAX_FIELD = 200;

function parseWire(payload: string): Wire | null {
  try {
    const v = JSON.parse(payload) as Partial<Wire>;
    if (typeof v.debateId !== 'string' || typeof v.topic !== 'string') return null;
    if (v.debateId.length > MAX_FIELD || v.topic.length > MAX_FIELD) return null;
    return { debateId: v.debateId, topic: v.topic, from: typeof v.from === 'string' ? v.from : undefined };
  } catch {
    return null;
  }
}

/**
 * Sends an event to every instance (this one included) through NOTIFY, for code that has the
 * database but not the bus (the claim projection). NOTIFY is transactional: sent on commit.
 */
export async function notify(db: Pick<Database, 'sql'>, event: LiveEvent, from?: string): Promise<void> {
  const wire: Wire = { debateId: event.debateId, topic: event.topic, ...(from ? { from } : {}) };
  await db.sql.query('SELECT pg_notify($1, $2)', [LIVE_CHANNEL, JSON.stringify(wire)]);
}

const RECONNECT_MIN_MS = 250;
const RECONNECT_MAX_MS = 10_000;

/**
 * Postgres LISTEN/NOTIFY on a dedicated connection (PGlite: its own listen/notify), with an
 * in-process fan-out in front. A publish reaches this instance's subscribers at once and the
 * others through the channel; each instance ignores the echo of its own events. When the
 * listening connection drops, the bus reconnects with backoff and then tells every local
 * subscriber that events may have been missed (topic '*'), so clients refetch instead of
 * silently showing stale data.
 */
export async function startLiveBus(db: Database): Promise<LiveBus> {
  const self = randomUUID();
  const listeners = new Map<string, Set<(e: LiveEvent) => void>>();
  let closed = false;
  let unlisten: (() => Promise<void>) | undefined;
  let retry: NodeJS.Timeout | undefined;

  const deliver = (e: LiveEvent) => {
    for (const l of listeners.get(e.debateId) ?? []) {
      try {
        l(e);
      } catch (err) {
        console.error('[live] listener failed:', err instanceof Error ? err.message : err);
      }
    }
  };

  const onPayload = (payload: string) => {
    const w = parseWire(payload);
    if (w && w.from !== self) deliver({ debateId: w.debateId, topic: w.topic });
  };

  const listen = async (): Promise<void> => {
    unlisten = await db.listen(LIVE_CHANNEL, onPayload, (err) => {
      unlisten = undefined;
      if (closed) return;
      console.error('[live] listen connection lost, reconnecting:', err.message);
      reconnect(RECONNECT_MIN_MS);
    });
  };

  const reconnect = (delay: number) => {
    retry = setTimeout(() => {
      retry = undefined;
      if (closed) return;
      listen().then(
        () => {
          for (const debateId of listeners.keys()) deliver({ debateId, topic: '*' });
        },
        (err: unknown) => {
          console.error('[live] could not listen:', err instanceof Error ? err.message : err);
          reconnect(Math.min(delay * 2, RECONNECT_MAX_MS));
        },
      );
    }, delay);
  };

  await listen();

  return {
    publish: async (e) => {
      if (closed) {
        // Shutting down: nobody is left to reach here, but other instances still are while the
        // pool is open. A late event (a coalesced vote announcement) goes out if it still can;
        // once the pool is closed too, it is dropped without a word.
        await notify(db, e, self).catch(() => undefined);
        return;
      }
      deliver(e);
      try {
        await notify(db, e, self);
      } catch (err) {
        // The change itself is committed; failing its request now would only mislead the caller.
        console.error('[live] notify failed:', err instanceof Error ? err.message : err);
      }
    },
    subscribe: (debateId, listener) => {
      let set = listeners.get(debateId);
      if (!set) listeners.set(debateId, (set = new Set()));
      set.add(listener);
      return () => {
        set.delete(listener);
        if (set.size === 0 && listeners.get(debateId) === set) listeners.delete(debateId);
      };
    },
    subscriberCount: (debateId) => listeners.get(debateId)?.size ?? 0,
    close: async () => {
      closed = true;
      if (retry) clearTimeout(retry);
      await unlisten?.().catch(() => undefined);
      listeners.clear();
    },
  };
}
