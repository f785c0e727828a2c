import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, startAppServer, type E2EServer } from './server';

/** Import through the dialog on the home page, and a picture of the map from the export menu. */
describe('import and export in the browser', () => {
  let server: E2EServer;
  let browser: Browser;
  let page: Page;
  let base: string;

  beforeAll(async () => {
    server = await startAppServer({ CRUX_SEED: 'auto' });
    browser = await launchBrowser();
    const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 }, acceptDownloads: true });
    page = await ctx.newPage();
    // Next builds request URLs from its configured hostname (localhost), and writes whose Origin
    // differs from that are refused: browse the site under that name.
    base = server.url.replace('127.0.0.1', 'localhost');
    await page.goto(`${base}/`);
    const status = await page.evaluate(
      async () =>
        (
          await fetch('/api/auth/sign-up/email', {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ name: 'Iris Importer', email: 'iris@example.com', password: 'a long enough password' }),
          })
        ).status,
    );
    expect(status).toBe(200);
  });

  afterAll(async () => {
    await browser?.close();
    expect(await server?.stop()).toBe(0);
  });

  const KIALO = [
    'Discussion Title: Should remote work be the default?',
    '',
    '1. Remote work should be the default for office jobs.',
    '1.1. Pro: Employees save about an hour of commuting every day.',
    '1.1.1. Con: Some people use the commute to unwind.',
    '1.2. Con: Junior staff learn less when they cannot watch colleagues.',
    '1.2.1. Pro: -> See 1.1.1.',
    '1.3. Pro: Offices are expensive to run.',
  ].join('\n');

  it('a pasted Kialo discussion is previewed with counts, then becomes a debate on the canvas', async () => {
    await page.goto(`${base}/`);
    await page.getByTestId('import-open').click();
    await page.getByTestId('import-text').fill('1. Thesis\n1.3.1. Pro: orphan');
    // A malformed paste: the preview names the line and Create stays off.
    await expect.poll(() => page.getByTestId('import-errors').textContent(), { timeout: 10_000 }).toContain('line 2');
    expect(await page.getByTestId('import-create').isDisabled()).toBe(true);

    await page.getByTestId('import-text').fill(KIALO);
    const claims = page.getByTestId('import-counts').locator('[data-count="claims"]');
    await expect.poll(() => claims.textContent(), { timeout: 10_000 }).toBe('5 claims');
    expect(await page.getByTestId('import-counts').locator('[data-count="relations"]').textContent()).toBe('5 relations');
    expect(await page.getByTestId('import-format').locator('option[value="auto"]').textContent()).toContain('Kialo');

    await page.getByTestId('import-create').click();
    await page.waitForURL(/\/debates\/[^/]+$/, { timeout: 20_000 });
    expect(await page.locator('h1.debate-title').textContent()).toBe('Should remote work be the default?');
    await expect.poll(() => page.getByTestId('connection-status').getAttribute('data-synced'), { timeout: 20_000 }).toBe('yes');
    await expect.poll(() => page.getByTestId('claim-node').count(), { timeout: 10_000 }).toBe(5);
    expect(await page.getByTestId('claim-node').allTextContents()).toContainEqual(expect.stringContaining('Offices are expensive to run.'));
  });

  it('exports the map as an SVG picture (a download) with its claims in it', async () => {
    await page.goto(`${base}/debates/agi`);
    await expect.poll(() => page.getByTestId('connection-status').getAttribute('data-synced'), { timeout: 20_000 }).toBe('yes');
    await expect.poll(() => page.getByTestId('claim-node').count(), { timeout: 10_000 }).toBeGreaterThan(10);
    await page.getByTestId('export-menu').click();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-svg').click()]);
    expect(download.suggestedFilename()).toBe('will-agi-happen.svg');
    const svg = await readFile((await download.path())!, 'utf8');
    expect(svg).toMatch(/^<\?xml[^>]*\?>\s*<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(svg).toContain('Will AGI happen?');
    expect(svg.match(/<g class="claim /g)!.length).toBeGreaterThan(10);
    expect(svg).not.toMatch(/<script|<foreignObject/i);

    await page.getByTestId('export-menu').click();
    const [png] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-png').click()]);
    expect(png.suggestedFilename()).toBe('will-agi-happen.png');
    const bytes = await readFile((await png.path())!);
    expect([...bytes.subarray(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
  });
});
