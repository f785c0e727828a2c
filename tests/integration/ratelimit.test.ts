import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CruxServer } from '../../server/app';
import { SharedLimiter } from '../../server/access/rateLimit';
import { createDebate } from '../../server/services/debates';
import * as hiddenRoute from '../../app/api/debates/[id]/hidden/route';
import * as authRoute from '../../app/api/auth/[...all]/route';
import { STORES, createStore, signUp, startTestServer, type TestStore } from './harness';

/*
 * Rate limits live in the database, so that instances behind a load balancer share one budget:
 * a take is one atomic statement, concurrent takes never overspend, and a second server on the
 * same Postgres sees what the first one spent.
 */

const ORIGIN = 'http://crux.test';
const post = (path: string, cookie: string | undefined, body: unknown, ip = '192.0.2.7') =>
  new Request(`${ORIGIN}${path}`, {
    method: 'POST',
    headers: { origin: ORIGIN, 'content-type': 'application/json', 'x-crux-client-ip': ip, ...(cookie ? { cookie } : {}) },
    body: JSON.stringify(body),
  });

describe.each(STORES)('shared rate limits (%s)', (storeName) => {
  let store: TestStore;
  let server: CruxServer;

  beforeAll(async () => {
    store = await createStore(storeName);
    server = await startTestServer(store);
  });
  afterAll(async () => {
    await server?.close();
    await store?.dispose();
  });

  it('a bucket allows its capacity, then names the wait; concurrent takes never overspend; reset refills', async () => {
    const limiter = new SharedLimiter(server.db, 'test', { capacity: 5, refillPerSecond: 0.5 });
    const results = await Promise.all(Array.from({ length: 20 }, () => limiter.take('k')));
    expect(results.filter((r) => r === null)).toHaveLength(5);
    for (const wait of results.filter((r) => r !== null)) expect(wait).toBeGreaterThanOrEqual(1);
    expect(await limiter.wait('k')).toBeGreaterThanOrEqual(1);
    expect(await limiter.take('other')).toBeNull();
    await limiter.reset('k');
    expect(await limiter.wait('k')).toBe(0);
    expect(await limiter.take('k')).toBeNull();
    const rows = await server.db.sql.query<{ key: string }>(`SELECT "key" FROM "RateBucket" WHERE "key" LIKE 'test:%' ORDER BY "key"`);
    expect(rows.map((r) => r.key)).toEqual(['test:k', 'test:other']);
  });

  it("better-auth's limiter counts in the RateLimit table, not in memory", async () => {
    for (let i = 0; i < 3; i++)
      await authRoute.POST(
        post('/api/auth/sign-in/email', undefined, { email: `ghost${i}@example.com`, password: 'wrong' }, '198.51.100.77'),
      );
    const rows = await server.db.prisma.rateLimit.findMany();
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
});
