import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CruxServer } from '../../server/app';
import { SharedLimiter, type BucketPolicy } from '../../server/access/rateLimit';
import { createDebate } from '../../server/services/debates';
import * as hiddenRoute from '../../app/api/debates/[id]/hidden/route';
import * as authRoute from '../../app/api/auth/[...all]/route';
import { STORES, createStore, serverPerSuite, signUp, startTestServer, type TestStore } from './harness';

/*
 * Rate limits live in the database, so that instances behind a load balancer share one budget:
 * a take is one atomic statement, concurrent takes never overspend, and a second server on the
 * same Postgres sees what the first one spent.
 */

const ORIGIN = 'http://crux.test';

/**
 * Two limiters with leases (two instances) spend one key's budget concurrently until both are
 * refused, after each first drew a lease and the shared bucket refilled behind it: the most the
 * documented bound allows. Returns how many takes were allowed and over how many seconds.
 */
async function spendOnBoth(x: SharedLimiter, y: SharedLimiter, key: string): Promise<{ allowed: number; seconds: number }> {
  // Each instance leases and spends one; the bucket then refills to its capacity behind the leases.
  expect(await x.take(key)).toBeNull();
  expect(await y.take(key)).toBeNull();
  await new Promise((r) => setTimeout(r, (x.policy.capacity / x.policy.refillPerSecond) * 1000 + 100));
  const t0 = performance.now();
  let allowed = 0;
  const drain = async (l: SharedLimiter) => {
    while ((await l.take(key)) === null) allowed++;
  };
  await Promise.all([drain(x), drain(y), drain(x), drain(y)]);
  return { allowed, seconds: (performance.now() - t0) / 1000 };
}

/** capacity + refill over the interval + one lease per instance (server/access/rateLimit.ts SharedLimiter). */
const bound = (p: BucketPolicy, lease: number, instances: number, seconds: number) =>
  p.capacity + p.refillPerSecond * seconds + instances * lease;
const LEASED: BucketPolicy = { capacity: 12, refillPerSecond: 20 };
const LEASE = 5;
const post = (path: string, cookie: string | undefined, body: unknown, ip = '192.0.2.7') =>
  new Request(`${ORIGIN}${path}`, {
    method: 'POST',
    headers: { origin: ORIGIN, 'content-type': 'application/json', 'x-crux-client-ip': ip, ...(cookie ? { cookie } : {}) },
    body: JSON.stringify(body),
  });

describe.each(STORES)('shared rate limits (%s)', (storeName) => {
  const suite = serverPerSuite(storeName);

  it('a bucket allows its capacity, then names the wait; concurrent takes never overspend; reset refills', async () => {
    const limiter = new SharedLimiter(suite.server.db, 'test', { capacity: 5, refillPerSecond: 0.5 });
    const results = await Promise.all(Array.from({ length: 20 }, () => limiter.take('k')));
    expect(results.filter((r) => r === null)).toHaveLength(5);
    for (const wait of results.filter((r) => r !== null)) expect(wait).toBeGreaterThanOrEqual(1);
    expect(await limiter.wait('k')).toBeGreaterThanOrEqual(1);
    expect(await limiter.take('other')).toBeNull();
    await limiter.reset('k');
    expect(await limiter.wait('k')).toBe(0);
    expect(await limiter.take('k')).toBeNull();
    const rows = await suite.server.db.sql.query<{ key: string }>(
      `SELECT "key" FROM "RateBucket" WHERE "key" LIKE 'test:%' ORDER BY "key"`,
    );
    expect(rows.map((r) => r.key)).toEqual(['test:k', 'test:other']);
  });

  it('leases: two limiters on one bucket stay within capacity + refill + one lease each, and use up what is there', async () => {
    const x = new SharedLimiter(suite.server.db, 'leased', LEASED, LEASE);
    const y = new SharedLimiter(suite.server.db, 'leased', LEASED, LEASE);
    const { allowed, seconds } = await spendOnBoth(x, y, 'k');
    expect(allowed).toBeLessThanOrEqual(bound(LEASED, LEASE, 2, seconds));
    // The refilled bucket and the two leases' remainders (LEASE − 1 each) were all spent.
    expect(allowed).toBeGreaterThanOrEqual(LEASED.capacity + 2 * (LEASE - 1));
  });

  it('tops a low lease up in the background: takes meanwhile spend what is left, and no instance ever holds more than L', async () => {
    const L = 20;
    const policy: BucketPolicy = { capacity: 120, refillPerSecond: 0.001 };
    // The database answers only when the test says so: what waits for a round trip is visible.
    let gate = Promise.resolve();
    let open = () => undefined as void;
    const close = () => (gate = new Promise<void>((r) => (open = r)));
    let statements = 0;
    const gated = {
      sql: {
        query: async <T>(text: string, params?: unknown[]) => {
          statements++;
          await gate;
          return suite.server.db.sql.query<T>(text, params);
        },
      },
    };
    const l = new SharedLimiter(gated, 'topup', policy, L);
    const settledNow = async (p: Promise<number | null>) => {
      const pending = Symbol('pending');
      const r = await Promise.race([p, new Promise<symbol>((res) => setTimeout(() => res(pending), 50))]);
      return r === pending ? 'pending' : r;
    };

    expect(await l.take('k')).toBeNull(); // fetches a lease of L, spends 1
    for (let i = 0; i < 14; i++) expect(await l.take('k')).toBeNull(); // 5 left: at the threshold
    expect(statements).toBe(1);
    close();
    // This take leaves 4 and starts the top-up (16 more), held at the gate.
    expect(await settledNow(l.take('k'))).toBeNull();
    expect(statements).toBe(2);
    // The 4 left are spent without waiting for it, and no second round trip starts.
    for (let i = 0; i < 4; i++) expect(await settledNow(l.take('k'))).toBeNull();
    expect(statements).toBe(2);
    // With nothing left, the next take waits for the top-up.
    const waiting = l.take('k');
    expect(await settledNow(waiting)).toBe('pending');
    open();
    expect(await waiting).toBeNull();
    // Taken from the shared bucket: the lease (20) and the top-up (16); held here: 15.
    const [row] = await suite.server.db.sql.query<{ tokens: number }>(`SELECT "tokens" FROM "RateBucket" WHERE "key" = 'topup:k'`);
    expect(Number(row!.tokens)).toBeCloseTo(120 - 20 - 16, 0);
    for (let i = 0; i < 10; i++) expect(await l.take('k')).toBeNull(); // 5 left again: no round trip before this
    expect(statements).toBe(2);
  });

  it('a leased limiter refuses nobody when the database cannot answer', async () => {
    const broken = { sql: { query: () => Promise.reject(new Error('database unreachable')) } };
    const l = new SharedLimiter(broken, 'leased-broken', LEASED, LEASE);
    const results = await Promise.all(Array.from({ length: 3 * LEASED.capacity }, () => l.take('k')));
    expect(results.every((r) => r === null)).toBe(true);
  });

  it("better-auth's limiter counts in the RateLimit table, not in memory", async () => {
    for (let i = 0; i < 3; i++)
      await authRoute.POST(
        post('/api/auth/sign-in/email', undefined, { email: `ghost${i}@example.com`, password: 'wrong' }, '198.51.100.77'),
      );
    const rows = await suite.server.db.prisma.rateLimit.findMany();
    const mine = rows.filter((r) => r.key.includes('198.51.100.77'));
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.reduce((n, r) => n + r.count, 0)).toBeGreaterThanOrEqual(3);
  });
});

describe.runIf(STORES.includes('postgres'))('two instances on one Postgres share the budget', () => {
  let store: TestStore;
  let a: CruxServer;
  let b: CruxServer;

  beforeAll(async () => {
    store = await createStore('postgres');
    a = await startTestServer(store);
    b = await startTestServer(store);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await store?.dispose();
  });

  it('writes spent on one instance count on the other', async () => {
    const heavy = await signUp(a, 'Heavy', 'heavy-shared@example.com');
    await createDebate(a.db.prisma, { title: 'busy' }, 'busy', { kind: 'user', userId: heavy.userId });
    const call = () =>
      hiddenRoute.POST(post('/api/debates/busy/hidden', heavy.cookie, { claimId: '' }), { params: Promise.resolve({ id: 'busy' }) });
    // Route handlers read the runtime of the server started last; both servers share the one database.
    let spent = 0;
    let limited: Response | undefined;
    while (!limited && spent < 300) {
      const res = await call();
      if (res.status === 429) limited = res;
      else spent++;
    }
    expect(limited?.status).toBe(429);
    expect(spent).toBeGreaterThan(50);
    // The other instance's limiter, on the same table: the budget is gone there too.
    const other = new SharedLimiter(a.db, 'writes', { capacity: 120, refillPerSecond: 2 });
    expect(await other.take(`u:${heavy.userId}`)).not.toBeNull();
  });

  it('leases drawn by two instances stay within capacity + refill + one lease per instance', async () => {
    const x = new SharedLimiter(a.db, 'leased', LEASED, LEASE);
    const y = new SharedLimiter(b.db, 'leased', LEASED, LEASE);
    const { allowed, seconds } = await spendOnBoth(x, y, 'k2');
    expect(allowed).toBeLessThanOrEqual(bound(LEASED, LEASE, 2, seconds));
    expect(allowed).toBeGreaterThanOrEqual(LEASED.capacity + 2 * (LEASE - 1));
  });
});
