import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { ROOT, launchBrowser, signUpViaApi, startAppServer, type E2EServer } from './server';

describe('two browser pages co-edit a debate', () => {
  let server: E2EServer;
  let browser: Browser;
  beforeAll(async () => {
    server = await startAppServer({ CRUX_SEED: 'auto' });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    // SIGTERM must end in a clean exit (flush, close the database, exit 0).
    expect(await server?.stop()).toBe(0);
  });

  it('shows the seeded AGI debate on the home page and its map', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(server.url);
    await expect.poll(() => page.getByTestId('debate-link').first().textContent()).toContain('Will AGI happen?');
    await page.getByTestId('debate-link').first().click();
    await page.waitForURL(/\/debates\/agi$/);
    await expect.poll(() => page.getByTestId('claim-node').count(), { timeout: 20_000 }).toBeGreaterThanOrEqual(20);
    await expect.poll(() => page.getByTestId('connection-status').textContent()).toContain('all changes saved');
    await page.waitForTimeout(500);
    await page.screenshot({ path: path.join(ROOT, 'docs', 'screenshots', 'canvas.png') });
    await page.close();
  });

  it('an edit in one page appears in the other', async () => {
    // Creating a debate needs an account; a public debate can then be edited by anyone on it.
    const cookie = await signUpViaApi(server.url, 'Co', 'co@example.com');
    const res = await fetch(`${server.url}/api/debates`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: server.url, cookie },
      body: JSON.stringify({ title: 'E2E co-editing', visibility: 'public' }),
    });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    const a = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    const b = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    await Promise.all([a.goto(`${server.url}/debates/${id}`), b.goto(`${server.url}/debates/${id}`)]);
    for (const p of [a, b])
      await expect.poll(() => p.getByTestId('connection-status').getAttribute('data-synced'), { timeout: 20_000 }).toBe('yes');

    await a.getByTestId('add-claim').click();
    await expect.poll(() => b.getByTestId('claim-node').count()).toBe(1);
    await a.getByTestId('claim-node').first().dblclick();
    await a.keyboard.type('Remote work raises output');
    await a.keyboard.press('Enter');
    await expect.poll(() => b.getByTestId('claim-text').first().textContent(), { timeout: 10_000 }).toBe('Remote work raises output');

    // And back the other way, with a second claim.
    await b.getByTestId('add-claim').click();
    await expect.poll(() => a.getByTestId('claim-node').count()).toBe(2);
    await a.close();
    await b.close();
  });
});
