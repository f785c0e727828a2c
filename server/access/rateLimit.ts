/**
 * Rate limiting: a token bucket per socket in memory (frames and bytes: a socket lives in one
 * process), and token buckets per key in the database for everything a client can spread over
 * several instances (writes per account, guests per address, failed sign-ins per account).
 */

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
 */
const TAKE_SQL = `
  INSERT INTO "RateBucket" AS b ("key", "tokens", "at") VALUES ($1, $2::float8 - $3::float8, clock_timestamp())
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
 * A token bucket per key kept in the database, so that every instance behind a load balancer
 * draws on the same budget (writes per account, guests per address, failed sign-ins per
 * account). A database that cannot answer refuses nobody: the limit protects the service, and
 * an outage must not turn into refusals; the writes themselves fail on their own then.
 */
export class SharedLimiter {
  private takes = 0;

  constructor(
    private readonly db: LimiterDb,
    /** Keeps the keys of different limiters apart in the one table. */
    readonly name: string,
    readonly policy: BucketPolicy,
  ) {}

  private k(key: string): string {
    return `${this.name}:${key}`.slice(0, 500);
  }

  /** null when allowed; otherwise the whole seconds to wait. */
  async take(key: string, cost = 1): Promise<number | null> {
    const { capacity, refillPerSecond } = this.policy;
    try {
      if (++this.takes % SWEEP_EVERY === 0) void this.db.sql.query(SWEEP_SQL).catch(() => undefined);
      const got = await this.db.sql.query<{ tokens: number }>(TAKE_SQL, [this.k(key), capacity, cost, refillPerSecond]);
      if (got.length > 0) return null;
      const [row] = await this.db.sql.query<{ tokens: number }>(LEVEL_SQL, [this.k(key), capacity, refillPerSecond]);
      return Math.max(1, Math.ceil((cost - Number(row?.tokens ?? 0)) / refillPerSecond));
    } catch (e) {
      console.error(`[rate-limit] ${this.name}: could not check, allowing:`, e instanceof Error ? e.message : e);
      return null;
    }
  }

  /** Seconds until `cost` tokens are there, without taking any; 0 when they are. */
  async wait(key: string, cost = 1): Promise<number> {
    const { capacity, refillPerSecond } = this.policy;
    try {
      const [row] = await this.db.sql.query<{ tokens: number }>(LEVEL_SQL, [this.k(key), capacity, refillPerSecond]);
      const tokens = row ? Number(row.tokens) : capacity;
      return tokens >= cost ? 0 : Math.max(1, Math.ceil((cost - tokens) / refillPerSecond));
    } catch {
      return 0;
    }
  }

  /** Forgets the key: a full bucket again (a successful sign-in clears its failures). */
  async reset(key: string): Promise<void> {
    await this.db.sql.query('DELETE FROM "RateBucket" WHERE "key" = $1', [this.k(key)]).catch(() => undefined);
  }
}

const LIMITERS = Symbol.for('crux.sharedLimiters');
type LimiterHolder = { [LIMITERS]?: WeakMap<LimiterDb, Map<string, SharedLimiter>> };

/**
 * The limiter `name` on this database, made once (on globalThis: Next's route bundles and the
 * server load this module separately). Tests start several servers in one process, hence per db.
 */
export function sharedLimiter(db: LimiterDb, name: string, policy: BucketPolicy): SharedLimiter {
  const byDb = ((globalThis as LimiterHolder)[LIMITERS] ??= new WeakMap());
  let byName = byDb.get(db);
  if (!byName) byDb.set(db, (byName = new Map()));
  let l = byName.get(name);
  if (!l) byName.set(name, (l = new SharedLimiter(db, name, policy)));
  return l;
}

/** Failed sign-ins as a bucket: `maxFailures` at once, refilled over the window. */
export const SIGN_IN_FAILURE_BUCKET: BucketPolicy = {
  capacity: SIGN_IN_FAILURES.maxFailures,
  refillPerSecond: SIGN_IN_FAILURES.maxFailures / (SIGN_IN_FAILURES.windowMs / 1000),
};

/** Guest accounts per address: ten at once, then one every six seconds. */
export const GUEST_JOINS: BucketPolicy = { capacity: 10, refillPerSecond: 1 / 6 };
