import type { LiveBus, LiveEvent } from '../live/bus';
import { perServer } from '../perServer';

/*
 * The per-process caches of the request path (sessions: server/auth/sessionCache.ts; debate
 * grants: server/access/grants.ts) are dropped by the change that makes them wrong, here and on
 * every other instance. Messages travel on the live bus (Postgres LISTEN/NOTIFY, or PGlite's),
 * under a channel name that is not a debate id (ids are generated and never contain '~'), so no
 * client can subscribe to it and no debate's events reach it.
 *
 * Delivery: the instance making the change drops its own entries before the change's request
 * answers; the others drop theirs when the NOTIFY arrives (sent after the change committed),
 * normally within a millisecond. If the bus loses its connection, the events meanwhile are lost:
 * the bus tells every subscriber on reconnecting (topic '*'), which drops everything, and until
 * then no entry outlives its few-second TTL.
 */

export const CACHES_CHANNEL = '~crux-caches';

/** What a message drops. */
export type Invalidation =
  /** Every cached session of this user (sign-out, revocation, account change or deletion). */
  | { kind: 'sessions'; userId: string }
  /** Cached grants on this debate (roles, visibility, lock, phase, owner, invites, deletion). */
  | { kind: 'grants-debate'; debateId: string }
  /** Cached grants on every debate this team owns (team roles). */
  | { kind: 'grants-team'; teamId: string }
  /** This user's cached grants on every debate. */
  | { kind: 'grants-user'; userId: string }
  /** Everything (a lost connection, or an id too long for one message). */
  | { kind: 'all' };

const PREFIX: Record<Exclude<Invalidation['kind'], 'all'>, string> = {
  sessions: 's:',
  'grants-debate': 'gd:',
  'grants-team': 'gt:',
  'grants-user': 'gu:',
};

/** The bus drops topics longer than this (server/live/bus.ts); such a message becomes 'all'. */
const MAX_TOPIC = 200;

export function encodeInvalidation(inv: Invalidation): string {
  if (inv.kind === 'all') return '*';
  const id = inv.kind === 'grants-debate' ? inv.debateId : inv.kind === 'grants-team' ? inv.teamId : inv.userId;
  const topic = PREFIX[inv.kind] + id;
  return topic.length > MAX_TOPIC ? '*' : topic;
}

export function decodeInvalidation(topic: string): Invalidation | null {
  if (topic === '*') return { kind: 'all' };
  const sep = topic.indexOf(':');
  if (sep < 0) return null;
  const id = topic.slice(sep + 1);
  switch (topic.slice(0, sep + 1)) {
    case PREFIX.sessions:
      return { kind: 'sessions', userId: id };
    case PREFIX['grants-debate']:
      return { kind: 'grants-debate', debateId: id };
    case PREFIX['grants-team']:
      return { kind: 'grants-team', teamId: id };
    case PREFIX['grants-user']:
      return { kind: 'grants-user', userId: id };
    default:
      return null;
  }
}

type Handler = (inv: Invalidation) => void;

/** This instance's handlers, with the one bus subscription that feeds them. */
const handlersOf = (live: LiveBus): Set<Handler> =>
  perServer('cacheInvalidation', live, () => {
    const set = new Set<Handler>();
    live.subscribe(CACHES_CHANNEL, (e: LiveEvent) => {
      const inv = decodeInvalidation(e.topic);
      if (inv) for (const h of set) h(inv);
    });
    return set;
  });

/**
 * Calls `handler` for every invalidation this instance hears (its own included). One bus
 * subscription per instance; kept on globalThis because Next's route bundles and the server
 * load this module separately, and keyed by the bus because tests run several instances in one
 * process.
 */
export function onInvalidation(live: LiveBus, handler: Handler): void {
  handlersOf(live).add(handler);
}

/**
 * Drops the named entries on this instance before returning to the event loop, and on the
 * others through NOTIFY. Call it after the change has committed; the returned promise settles
 * when the NOTIFY has been sent.
 */
export async function invalidate(live: LiveBus, items: readonly Invalidation[]): Promise<void> {
  const handlers = handlersOf(live);
  const topics = [...new Set(items.map(encodeInvalidation))];
  // Here first, synchronously, whatever the bus does with its own echo (applying twice is harmless).
  for (const topic of topics) {
    const inv = decodeInvalidation(topic)!;
    for (const h of handlers ?? []) h(inv);
  }
  await Promise.all(topics.map((topic) => live.publish({ debateId: CACHES_CHANNEL, topic })));
}
