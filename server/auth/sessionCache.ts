import { createHash } from 'node:crypto';
import type { LiveBus } from '../live/bus';
import { invalidate, onInvalidation } from '../access/invalidation';
import type { SessionInfo } from './session';
import { perServer } from '../perServer';

/**
 * How long a verified session is reused without asking the database again. Ending a session
 * drops it at once (below); the TTL only bounds what a lost bus notification can leave behind.
 */
export const SESSION_CACHE_TTL_MS = 5_000;
/** Entries kept per instance; past it, expired ones go, then the oldest. */
const MAX_ENTRIES = 50_000;

export interface SessionEntry {
  info: SessionInfo;
  userId: string;
  sessionId: string;
  /** Served without asking the database until then: its TTL, or the session's own expiry if that comes first. */
  until: number;
  /** The session's expiry: past it the entry is useless. */
  expiresAt: number;
}

/**
 * The cookie's session token (all of them, if the header repeats it), hashed: the cache key. The
 * token itself is a bearer credential and is neither kept nor logged. null: no session cookie,
 * so there is no session to look up.
 */
export function sessionKeyOf(cookie: string | null): string | null {
  if (!cookie) return null;
  const values: string[] = [];
  for (const m of cookie.matchAll(/(?:^|;)\s*((?:__Secure-)?crux\.session_token)=([^;]*)/g)) values.push(`${m[1]}=${m[2]}`);
  return values.length === 0 ? null : createHash('sha256').update(values.join('\n')).digest('base64url');
}

/**
 * Verified sessions of one instance, by hashed cookie token. Only sessions that exist are kept
 * (a made-up cookie costs a lookup every time, as before, and no memory). A lookup that was in
 * flight while an invalidation arrived is not stored: it may have read the row before the change.
 * Past its TTL an entry is re-checked (readSession: one indexed read of the session and its
 * user, instead of better-auth's whole lookup; the cookie's signature was checked when it was
 * stored, and the key is the signed value).
 */
export class SessionCache {
  ttlMs = SESSION_CACHE_TTL_MS;
  /** Bumped by every invalidation; a lookup stores its answer only if it has not moved meanwhile. */
  generation = 0;
  private readonly entries = new Map<string, SessionEntry>();
  private readonly byUser = new Map<string, Set<string>>();

  /**
   * The entry for this key while its session has not expired, fresh (until > now) or due for a
   * re-check; undefined otherwise.
   */
  get(key: string, now = Date.now()): SessionEntry | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.expiresAt > now) return e;
    this.delete(key, e);
    return undefined;
  }

  /** Keeps a verified session until min(now + TTL, its expiry), unless invalidated since `generation`. */
  set(key: string, info: SessionInfo, sessionId: string, expiresAt: number, generation: number, now = Date.now()): void {
    const userId = info.principal.userId;
    if (generation !== this.generation || userId === null || !(expiresAt > now)) return;
    const old = this.entries.get(key);
    if (old) this.delete(key, old);
    if (this.entries.size >= MAX_ENTRIES) this.shrink(now);
    this.entries.set(key, { info, userId, sessionId, expiresAt, until: Math.min(now + this.ttlMs, expiresAt) });
    let keys = this.byUser.get(userId);
    if (!keys) this.byUser.set(userId, (keys = new Set()));
    keys.add(key);
  }

  remove(key: string): void {
    const e = this.entries.get(key);
    if (e) this.delete(key, e);
  }

  dropUser(userId: string): void {
    this.generation++;
    const keys = this.byUser.get(userId);
    if (!keys) return;
    this.byUser.delete(userId);
    for (const k of keys) this.entries.delete(k);
  }

  clear(): void {
    this.generation++;
    this.entries.clear();
    this.byUser.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  private delete(key: string, e: SessionEntry): void {
    this.entries.delete(key);
    const keys = this.byUser.get(e.userId);
    keys?.delete(key);
    if (keys?.size === 0) this.byUser.delete(e.userId);
  }

  private shrink(now: number): void {
    for (const [k, e] of this.entries) if (e.until <= now) this.delete(k, e);
    for (const [k, e] of this.entries) {
      if (this.entries.size < MAX_ENTRIES) break;
      this.delete(k, e);
    }
  }
}

/** This instance's session cache (one per live bus, i.e. per server). */
export function sessionCacheOf(live: LiveBus): SessionCache {
  return perServer('sessionCache', live, () => {
    const c = new SessionCache();
    onInvalidation(live, (inv) => {
      if (inv.kind === 'sessions') c.dropUser(inv.userId);
      else if (inv.kind === 'all') c.clear();
    });
    return c;
  });
}

/**
 * Sessions of these users ended or changed (sign-out, revocation, rotation, account claimed,
 * renamed or deleted): their cached entries go, here before this returns to the event loop and
 * on every other instance when the notification arrives. Call after the change committed.
 */
export async function sessionsChanged(live: LiveBus, userIds: readonly string[]): Promise<void> {
  sessionCacheOf(live);
  await invalidate(
    live,
    [...new Set(userIds)].map((userId) => ({ kind: 'sessions', userId })),
  );
}
