/**
 * Rate limiting: a token bucket per socket in memory (frames and bytes: a socket lives in one
 * process), and token buckets per key in the database for everything a client can spread over
 * several instances (writes per account, guests per address, failed sign-ins per account).
 */

import { perServer } from '../perServer';

export interface BucketPolicy {
  /** Tokens available at once (the burst). */
  capacity: number;
  /** Tokens added per second. */
  refillPerSecond: number;
}

export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly policy: BucketPolicy,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = policy.capacity;
    this.last = now();
  }

  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(this.policy.capacity, this.tokens + ((t - this.last) / 1000) * this.policy.refillPerSecond);
    this.last = t;
  }

  /** Takes `cost` tokens; false (and nothing taken) when there are not enough. */
  take(cost = 1): boolean {
    this.refill();
    if (this.tokens < cost) return false;
    this.tokens -= cost;
    return true;
  }

  /** Whole seconds until `cost` tokens are available again. */
  retryAfter(cost = 1): number {
    this.refill();
    return Math.max(1, Math.ceil((cost - this.tokens) / this.policy.refillPerSecond));
  }

  get full(): boolean {
    this.refill();
    return this.tokens >= this.policy.capacity;
  }
}

/** Writes through Crux's own routes, per account (or per address for visitors). */
export const HTTP_WRITES: BucketPolicy = { capacity: 120, refillPerSecond: 2 };

/**
 * Frames per sync socket. Typing sends a frame per keystroke and a drag one per 80 ms, awareness
 * one per cursor move: a busy person stays far below this; a flood does not.
 */
export const SOCKET_FRAMES: BucketPolicy = { capacity: 400, refillPerSecond: 100 };

/** Bytes per sync socket: a full 1 MB initial sync fits in the burst. */
export const SOCKET_BYTES: BucketPolicy = { capacity: 4 * 1024 * 1024, refillPerSecond: 1024 * 1024 };

/** Failed sign-ins per account, whatever the address: 5 per 15 minutes. */
export const SIGN_IN_FAILURES = { maxFailures: 5, windowMs: 15 * 60_000 };

/** What the shared limiters need of the database: a query (server/db/sql.ts). */
export interface LimiterDb {
  sql: { query<T>(text: string, params?: unknown[]): Promise<T[]> };
}

/*
 * One statement decides a take atomically, in whichever instance runs it: the bucket refills by
 * the time since its last take, and the row is written only when enough tokens are there. No row
 * back means refused. clock_timestamp(), not now(): inside a transaction now() stands still.
 *
 * Its commit does not wait for the disk (synchronous_commit off for this transaction only): a
 * bucket is not worth an fsync, and a crash can only forget the last few takes, handing out a
 * few more tokens once. Votes and document updates, which share the WAL, commit sooner for it.
 */
const TAKE_SQL = `
  WITH async_commit AS (SELECT set_config('synchronous_commit', 'off', true))
  INSERT INTO "RateBucket" AS b ("key", "tokens", "at")
  SELECT $1, $2::float8 - $3::float8, clock_timestamp() FROM async_commit
  ON CONFLICT ("key") DO UPDATE
     SET "tokens" = LEAST($2::float8, b."tokens" + EXTRACT(EPOCH FROM clock_timestamp() - b."at")::float8 * $4::float8) - $3::float8,
         "at" = clock_timestamp()
   WHERE LEAST($2::float8, b."tokens" + EXTRACT(EPOCH FROM clock_timestamp() - b."at")::float8 * $4::float8) >= $3::float8
  RETURNING "tokens"`;
const LEVEL_SQL = `
  SELECT LEAST($2::float8, "tokens" + EXTRACT(EPOCH FROM clock_timestamp() - "at")::float8 * $3::float8) AS tokens
    FROM "RateBucket" WHERE "key" = $1`;
/** A bucket untouched this long is full under every policy here; its row can go. */
const SWEEP_SQL = `DELETE FROM "RateBucket" WHERE "at" < clock_timestamp() - interval '1 hour'`;
const SWEEP_EVERY = 2000;

/**
 * Tokens the write limiter draws from the shared bucket at once (see SharedLimiter): a sixth of
 * the burst, so nineteen writes in twenty cost no round trip, and N instances together allow at
 * most 20·N writes more than HTTP_WRITES over any interval.
 */
export const HTTP_WRITES_LEASE = 20;
/**
 * When a take leaves less than this share of L, it also starts a top-up in the background
 * (L minus what is left, so this instance never holds more than L): a key that keeps writing
 * spends local tokens while the round trip runs, instead of waiting for it every L-th request.
 */
export const LEASE_TOP_UP_AT = 0.25;
/** Leased tokens not spent within this time are given up (never returned: that only makes the limit stricter). */
export const LEASE_TTL_MS = 10_000;
/** Keys with a lease or a known refusal kept per limiter; past it, expired ones go, then the oldest. */
const MAX_LOCAL_KEYS = 50_000;

/** What one instance holds of a key's shared bucket. */
interface LocalBucket {
  /** Leased tokens left to spend here. */
  tokens: number;
  /** The lease's tokens are given up at this time. */
  expiresAt: number;
  /** The shared bucket had too few tokens: nothing is granted before this time (refill is the only source). */
  refusedUntil: number;
  /** The round trip that fetches a lease (or tops one up), shared by every request of the key meanwhile. */
  fetching?: Promise<void>;
}

/**
 * A token bucket per key kept in the database, so that every instance behind a load balancer
 * draws on the same budget (writes per account, guests per address, failed sign-ins per
 * account). A database that cannot answer refuses nobody: the limit protects the service, and
 * an outage must not turn into refusals; the writes themselves fail on their own then.
 *
 * With `lease` (L tokens), take() draws L tokens from the shared bucket in one statement and
 * spends them in this process, so only one request in L costs a round trip; when fewer than L
 * are left it falls back to single tokens. A lease running low is topped up to L in the
 * background (LEASE_TOP_UP_AT), so a steady writer does not wait for that round trip either.
 * A refusal is remembered until the refill alone can have made up the shortfall (tokens are
 * never returned, so no instance can be allowed sooner). The bound: every token spent was first
 * taken from the shared bucket, so over any interval of T seconds the requests allowed for one
 * key across N instances are at most capacity + refillPerSecond·T + N·L — the only excess over
 * the policy is tokens an instance held before the interval and spends inside it, never more
 * than L each (a top-up draws only what brings the holding back to L). Unspent leased
 * tokens are given up after LEASE_TTL_MS, which can only make the limit stricter.
 */
export class SharedLimiter {
  private takes = 0;
  private readonly local = new Map<string, LocalBucket>();

  constructor(
    private readonly db: LimiterDb,
    /** Keeps the keys of different limiters apart in the one table. */
    readonly name: string,
    readonly policy: BucketPolicy,
    /** Tokens leased at once (1: every take is a round trip, as for sign-in failures). */
    readonly lease = 1,
  ) {}

  private k(key: string): string {
    return `${this.name}:${key}`.slice(0, 500);
  }

  /** One atomic take of `cost` tokens from the shared bucket: false when refused; throws when the database cannot answer. */
  private async takeShared(k: string, cost: number): Promise<boolean> {
    const { capacity, refillPerSecond } = this.policy;
    if (++this.takes % SWEEP_EVERY === 0) void this.db.sql.query(SWEEP_SQL).catch(() => undefined);
    const got = await this.db.sql.query<{ tokens: number }>(TAKE_SQL, [k, capacity, cost, refillPerSecond]);
    return got.length > 0;
  }

  /** Tokens in the shared bucket now (after refill). */
  private async level(k: string): Promise<number> {
    const { capacity, refillPerSecond } = this.policy;
    const [row] = await this.db.sql.query<{ tokens: number }>(LEVEL_SQL, [k, capacity, refillPerSecond]);
    return row ? Number(row.tokens) : capacity;
  }

  /** null when allowed; otherwise the whole seconds to wait. */
  async take(key: string, cost = 1): Promise<number | null> {
    const k = this.k(key);
    if (this.lease <= 1) {
      try {
        if (await this.takeShared(k, cost)) return null;
        return Math.max(1, Math.ceil((cost - (await this.level(k))) / this.policy.refillPerSecond));
      } catch (e) {
        console.error(`[rate-limit] ${this.name}: could not check, allowing:`, e instanceof Error ? e.message : e);
        return null;
      }
    }
    for (;;) {
      const now = Date.now();
      let b = this.local.get(k);
      if (b && b.expiresAt <= now) b.tokens = 0;
      if (b && b.tokens >= cost) {
        b.tokens -= cost;
        if (b.tokens < this.lease * LEASE_TOP_UP_AT && !b.fetching) this.topUp(k, b);
        return null;
      }
      if (b?.fetching) {
        // Another request of this key is fetching a lease: share it rather than start a second.
        await b.fetching;
        continue;
      }
      if (b && b.refusedUntil > now) return Math.max(1, Math.ceil((b.refusedUntil - now) / 1000));
      if (!b) b = this.remember(k);
      return this.fetchLease(k, b, cost);
    }
  }

  /** Leases L tokens (or, when fewer are left, takes just `cost`) for this request and the next ones. */
  private async fetchLease(k: string, b: LocalBucket, cost: number): Promise<number | null> {
    let answer: number | null = null;
    const amount = Math.max(this.lease, cost);
    const run = (async () => {
      try {
        if (await this.takeShared(k, amount)) {
          b.tokens = amount - cost;
          b.expiresAt = Date.now() + LEASE_TTL_MS;
          return;
        }
        if (await this.takeShared(k, cost)) return;
        const missing = cost - (await this.level(k));
        const wait = Math.max(0, missing / this.policy.refillPerSecond);
        b.refusedUntil = Date.now() + wait * 1000;
        answer = Math.max(1, Math.ceil(wait));
      } catch (e) {
        console.error(`[rate-limit] ${this.name}: could not check, allowing:`, e instanceof Error ? e.message : e);
      }
    })();
    b.fetching = run;
    try {
      await run;
    } finally {
      b.fetching = undefined;
    }
    return answer;
  }

  /**
   * Draws L minus the tokens left, so that what this instance holds never exceeds L (tokens only
   * go down while the round trip runs): the bound above still holds. Refused or failed, nothing
   * changes; the lease runs out and the next take fetches as usual.
   */
  private topUp(k: string, b: LocalBucket): void {
    const amount = this.lease - b.tokens;
    const done: Promise<void> = this.takeShared(k, amount)
      .then(
        (got) => {
          if (!got) return;
          b.tokens += amount;
          b.expiresAt = Date.now() + LEASE_TTL_MS;
        },
        () => undefined,
      )
      .finally(() => {
        if (b.fetching === done) b.fetching = undefined;
      });
    b.fetching = done;
  }

  private remember(k: string): LocalBucket {
    if (this.local.size >= MAX_LOCAL_KEYS) {
      const now = Date.now();
      for (const [key, b] of this.local) if (!b.fetching && b.expiresAt <= now && b.refusedUntil <= now) this.local.delete(key);
      // Forgetting a lease only gives its tokens up; forgetting a refusal costs one more round trip.
      for (const key of this.local.keys()) {
        if (this.local.size < MAX_LOCAL_KEYS) break;
        this.local.delete(key);
      }
    }
    const b: LocalBucket = { tokens: 0, expiresAt: 0, refusedUntil: 0 };
    this.local.set(k, b);
    return b;
  }

  /** Seconds until `cost` tokens are there, without taking any; 0 when they are. */
  async wait(key: string, cost = 1): Promise<number> {
    try {
      const tokens = await this.level(this.k(key));
      return tokens >= cost ? 0 : Math.max(1, Math.ceil((cost - tokens) / this.policy.refillPerSecond));
    } catch {
      return 0;
    }
  }

  /** Forgets the key: a full bucket again (a successful sign-in clears its failures). */
  async reset(key: string): Promise<void> {
    this.local.delete(this.k(key));
    await this.db.sql.query('DELETE FROM "RateBucket" WHERE "key" = $1', [this.k(key)]).catch(() => undefined);
  }
}

/**
 * The limiter `name` on this database, made once (on globalThis: Next's route bundles and the
 * server load this module separately). Tests start several servers in one process, hence per db.
 */
export function sharedLimiter(db: LimiterDb, name: string, policy: BucketPolicy, lease = 1): SharedLimiter {
  const byName = perServer('sharedLimiters', db, () => new Map<string, SharedLimiter>());
  let l = byName.get(name);
  if (!l) byName.set(name, (l = new SharedLimiter(db, name, policy, lease)));
  return l;
}

/** Failed sign-ins as a bucket: `maxFailures` at once, refilled over the window. */
export const SIGN_IN_FAILURE_BUCKET: BucketPolicy = {
  capacity: SIGN_IN_FAILURES.maxFailures,
  refillPerSecond: SIGN_IN_FAILURES.maxFailures / (SIGN_IN_FAILURES.windowMs / 1000),
};

/** Guest accounts per address: ten at once, then one every six seconds. */
export const GUEST_JOINS: BucketPolicy = { capacity: 10, refillPerSecond: 1 / 6 };
