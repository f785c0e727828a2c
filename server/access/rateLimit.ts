/**
 * In-process rate limiting: a token bucket per key (writes per user, frames per socket) and a
 * failure counter per key (sign-in attempts per account). Each instance counts its own traffic;
 * behind a load balancer the limits apply per instance, which still bounds a single client.
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

/** One bucket per key; buckets that have refilled completely are dropped, so memory tracks active keys. */
export class KeyedLimiter {
  private readonly buckets = new Map<string, TokenBucket>();
  private sweeps = 0;

  constructor(
    readonly policy: BucketPolicy,
    private readonly now: () => number = Date.now,
  ) {}

  /** null when allowed; otherwise the seconds to wait. */
  take(key: string, cost = 1): number | null {
    if (++this.sweeps % 1000 === 0) for (const [k, b] of this.buckets) if (b.full) this.buckets.delete(k);
    let b = this.buckets.get(key);
    if (!b) this.buckets.set(key, (b = new TokenBucket(this.policy, this.now)));
    return b.take(cost) ? null : b.retryAfter(cost);
  }
}

/**
 * Counts failures per key in a fixed window: past `maxFailures` the key is blocked until the
 * window that began with its first failure ends. A success clears the key.
 */
export class FailureLimiter {
  private readonly entries = new Map<string, { first: number; failures: number }>();

  constructor(
    private readonly maxFailures: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds the key must still wait, or 0. */
  blockedFor(key: string): number {
    const e = this.entries.get(key);
    if (!e) return 0;
    const left = e.first + this.windowMs - this.now();
    if (left <= 0) {
      this.entries.delete(key);
      return 0;
    }
    return e.failures >= this.maxFailures ? Math.ceil(left / 1000) : 0;
  }

  fail(key: string): void {
    const t = this.now();
    const e = this.entries.get(key);
    if (!e || t - e.first >= this.windowMs) this.entries.set(key, { first: t, failures: 1 });
    else e.failures++;
    if (this.entries.size > 100_000) for (const [k, v] of this.entries) if (t - v.first >= this.windowMs) this.entries.delete(k);
  }

  succeed(key: string): void {
    this.entries.delete(key);
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
