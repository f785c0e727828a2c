import { describe, expect, it } from 'vitest';
import { STORES } from './harness';
import { formatReport, runCrash } from '../../scripts/crash';

/*
 * Crash durability and graceful shutdown against the real server process (scripts/crash.ts has
 * the harness and what it checks; `npx tsx scripts/crash.ts` is the 100-kill long run). Seeded,
 * so a failure names the seed that reproduces its edit sequence and kill moments.
 */
describe.each(STORES)('crash durability (%s)', (store) => {
  it('10 SIGKILLs and a SIGTERM mid-edit lose no update any client received; replicas converge with the store', async () => {
    const seed = Number(process.env.CRASH_SEED ?? 9);
    const report = await runCrash({ kills: 10, clients: 4, seed, store });
    console.log(formatReport(report));
    expect(report.failures, `seed ${seed}`).toEqual([]);
    expect(report.kills).toBe(10);
    expect(report.sigterms).toBe(1);
    expect(report.updatesReceived).toBeGreaterThan(0);
    expect(report.containmentChecks).toBeGreaterThan(0);
  }, 900_000);
});
