import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, startAppServer, type E2EServer } from './server';

/** Two pages on the seeded AGI debate: evidence and sources added in one appear in the other, live. */
describe('evidence and sources in two browser pages', () => {
  let server: E2EServer;
  let browser: Browser;
  let a: Page;
  let b: Page;
  beforeAll(async () => {
    server = await startAppServer({ CRUX_SEED: 'auto' });
    browser = await launchBrowser();
    [a, b] = await Promise.all([
      browser.newPage({ viewport: { width: 1440, height: 900 } }),
      browser.newPage({ viewport: { width: 1440, height: 900 } }),
    ]);
    // Next builds request URLs from its configured hostname (localhost), and writes whose Origin
    // differs from that are refused: browse the site under that name.
    const base = server.url.replace('127.0.0.1', 'localhost');
    // Each page is its own browser context (own cookies): two people, each joining as a guest.
    await Promise.all(
      [
        [a, 'Ann'],
        [b, 'Ben'],
      ].map(async ([p, name]) => {
        const page = p as Page;
        await page.goto(`${base}/`);
        const status = await page.evaluate(
          async (n) =>
            (
              await fetch('/api/account/guest', {
                method: 'POST',
                headers: { 'content-type': 'application/json' },
                body: JSON.stringify({ name: n }),
              })
            ).status,
          name as string,
        );
        expect(status).toBe(201);
        await page.goto(`${base}/debates/agi`);
      }),
    );
  });
  afterAll(async () => {
    await browser?.close();
    expect(await server?.stop()).toBe(0);
  });

  const node = (p: Page, id: string) => p.locator(`[data-testid="claim-node"][data-claim-id="${id}"]`);
  const supports = (p: Page, id: string) => node(p, id).getByTestId('evidence-supports').textContent();

  it('a quote added with a new source in one page updates the other page’s counter and panel', async () => {
    for (const p of [a, b]) {
      await expect.poll(() => p.getByTestId('connection-status').getAttribute('data-synced'), { timeout: 20_000 }).toBe('yes');
      // The live stream is open, so nothing published from now on can be missed.
      await expect.poll(() => p.getByTestId('evidence-sidebar').getAttribute('data-live'), { timeout: 10_000 }).toBe('open');
    }
    await expect.poll(() => supports(b, 'a1'), { timeout: 10_000 }).toBe('1');
    for (const p of [a, b]) {
      await node(p, 'a1').getByTestId('claim-text').click();
      await expect.poll(() => p.getByTestId('claim-evidence').getAttribute('data-claim-id')).toBe('a1');
    }
    await expect.poll(() => b.getByTestId('evidence-quote').count()).toBe(1);

    await a.getByTestId('evidence-source-select').selectOption('__new__');
    await a.getByTestId('source-url').fill('https://example.com/memory-wall/?utm_source=newsletter');
    await a.getByTestId('source-title').fill('The memory wall');
    const quote = 'Memory bandwidth has grown far more slowly than arithmetic throughput.';
    await a.getByTestId('evidence-quote-input').fill(quote);
    const t0 = Date.now();
    await a.getByTestId('add-evidence').click();

    await expect.poll(() => supports(b, 'a1'), { timeout: 5_000 }).toBe('2');
    console.log(`[e2e evidence] other page's counter updated ${Date.now() - t0} ms after the click`);
    await expect.poll(() => b.getByTestId('evidence-quote').allTextContents()).toContain(quote);
    await expect.poll(() => supports(a, 'a1')).toBe('2');

    // The inline source landed in the library, normalised; the other page sees it there too.
    await b.getByTestId('tab-sources').click();
    const item = b.getByTestId('source-item').filter({ hasText: 'The memory wall' });
    await expect.poll(() => item.count()).toBe(1);
    expect(await item.locator('a').getAttribute('href')).toBe('https://example.com/memory-wall');
    expect(await item.locator('a').getAttribute('rel')).toBe('noopener noreferrer');
  });

  it('an API error is shown under its field', async () => {
    await a.getByTestId('evidence-source-select').selectOption('__new__');
    await a.getByTestId('source-url').fill('ftp://example.com/file');
    await a.getByTestId('source-title').fill('Bad link');
    await a.getByTestId('evidence-quote-input').fill('Anything');
    await a.getByTestId('add-evidence').click();
    await expect
      .poll(() => a.getByTestId('add-evidence-form').getByRole('alert').allTextContents())
      .toContain('only http and https links are accepted');
  });

  it('a source added and rated in one page appears in the other; picking a source highlights its claims', async () => {
    await a.getByTestId('tab-sources').click();
    await a.getByTestId('add-source').click();
    await a.getByTestId('source-title').fill('Roofline models');
    await a.getByTestId('source-kind').selectOption('paper');
    await a.getByTestId('source-save').click();
    const inB = b.getByTestId('source-item').filter({ hasText: 'Roofline models' });
    await expect.poll(() => inB.count(), { timeout: 5_000 }).toBe(1);
    await a.getByTestId('source-item').filter({ hasText: 'Roofline models' }).getByRole('button', { name: 'Rate 4 of 5' }).click();
    await expect.poll(() => inB.getByTestId('rating-summary').textContent(), { timeout: 5_000 }).toBe('4.0 from 1 rating');

    await b.getByTestId('source-item').filter({ hasText: 'Chinese news article' }).locator('.source-title').click();
    await expect.poll(() => b.locator('[data-testid="claim-node"][data-highlighted="yes"]').count()).toBeGreaterThanOrEqual(12);
  });

  it('the canvas search finds a claim and focuses it', async () => {
    await a.getByTestId('canvas-search').fill('transf');
    const hit = a.locator('[data-testid="search-result"][data-kind="claim"][data-id="a2"]');
    await expect.poll(() => hit.count(), { timeout: 5_000 }).toBe(1);
    await hit.dispatchEvent('mousedown');
    await expect.poll(() => a.getByTestId('claim-evidence').getAttribute('data-claim-id')).toBe('a2');
    await expect.poll(() => node(a, 'a2').getAttribute('class')).toContain('is-selected');
  });
});
