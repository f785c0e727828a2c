import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { addClaim, ensureRoots } from '../../lib/model/doc';
import { addComment } from '../../lib/model/comment';
import { socketWithHeaders } from '../integration/harness';
import { launchBrowser, startAppServer, type E2EServer } from './server';

/*
 * Script payloads in everything people type or import ([harden] 4) render as inert text in
 * Chromium: no dialog opens, no payload code runs (each would set window.__xss), the text is shown
 * literally, no javascript: link exists, and the page is served under the nonce CSP — whose
 * violations, if anything tried to run, Chromium reports on the console.
 */
const IMG = '<img src=x onerror="window.__xss=\'img\';alert(1)">';
const SVG = "<svg onload=\"window.__xss='svg'\"><script>window.__xss='svg-script'</script></svg>";
const JS_LINK = "javascript:window.__xss='link';alert(1)";

describe('script payloads render inert', () => {
  let server: E2EServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let base: string;
  const dialogs: string[] = [];
  const cspViolations: string[] = [];

  beforeAll(async () => {
    server = await startAppServer({ CRUX_SEED: 'auto' });
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    page = await context.newPage();
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
    });
    base = server.url.replace('127.0.0.1', 'localhost');
    await page.goto(`${base}/`);
    const status = await page.evaluate(
      async () =>
        (
          await fetch('/api/account/guest', {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ name: 'Mallory <b>' }),
          })
        ).status,
    );
    expect(status).toBe(201);
  });
  afterAll(async () => {
    await browser?.close();
    expect(await server?.stop()).toBe(0);
  });

  const api = (path: string, body: unknown) =>
    page.evaluate(
      async ([p, b]) => {
        const res = await fetch(p as string, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(b) });
        return { status: res.status, body: (await res.json().catch(() => null)) as Record<string, unknown> | null };
      },
      [path, body] as const,
    );

  async function expectInert(p: Page): Promise<void> {
    expect(await p.evaluate(() => (window as unknown as { __xss?: string }).__xss)).toBeUndefined();
    expect(dialogs).toEqual([]);
    expect(await p.locator('img[src="x"]').count()).toBe(0);
    expect(await p.locator('a[href^="javascript:" i]').count()).toBe(0);
    expect(await p.evaluate(() => [...document.querySelectorAll('svg script')].length)).toBe(0);
  }

  it('claim text, a comment, a source title and an evidence quote carrying payloads', async () => {
    // Claim and comment go in through the document, as any client could send them.
    const cookie = (await context.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
    const doc = new Y.Doc();
    ensureRoots(doc);
    const provider = new WebsocketProvider(`${server.url.replace('http', 'ws')}/yjs`, 'agi', doc, {
      WebSocketPolyfill: socketWithHeaders({ cookie }) as unknown as typeof globalThis.WebSocket,
      disableBc: true,
    });
    await expect.poll(() => provider.synced, { timeout: 20_000 }).toBe(true);
    const claimId = addClaim(doc, { text: `${IMG} ${SVG}`, x: 4000, y: 4000, author: 'mallory' });
    addComment(doc, { claimId, author: 'mallory', text: `${SVG} ${IMG}` });

    // A javascript: source URL is refused outright; a payload title and quote are stored as text.
    const badUrl = await api('/api/debates/agi/sources', { url: JS_LINK, title: 'x' });
    expect(badUrl.status).toBe(400);
    const src = await api('/api/debates/agi/evidence', {
      claimId: 'a1',
      stance: 'supports',
      quote: `${IMG} quoted`,
      source: { url: 'https://example.org/xss', title: `${SVG} title` },
    });
    expect(src.status, JSON.stringify(src.body)).toBe(201);
    await expect.poll(() => provider.wsconnected, { timeout: 5_000 }).toBe(true);
    await new Promise((r) => setTimeout(r, 500));
    provider.destroy();

    const res = await page.goto(`${base}/debates/agi`);
    const csp = res?.headers()['content-security-policy'] ?? '';
    expect(csp).toMatch(/script-src 'self' 'nonce-[^']+' 'strict-dynamic'/);
    expect(csp).toContain("object-src 'none'");
    expect(res?.headers()['x-content-type-options']).toBe('nosniff');
    // The app's own (nonced) scripts run: the canvas hydrates and syncs under the policy.
    await expect.poll(() => page.getByTestId('connection-status').getAttribute('data-synced'), { timeout: 30_000 }).toBe('yes');
    const node = page.locator(`[data-testid="claim-node"][data-claim-id="${claimId}"]`);
    await expect.poll(() => node.getByTestId('claim-text').textContent(), { timeout: 10_000 }).toContain(IMG);
    expect(await node.getByTestId('claim-text').textContent()).toContain(SVG);

    await page.locator('[data-testid="claim-node"][data-claim-id="a1"]').getByTestId('claim-text').click();
    await expect.poll(() => page.getByTestId('evidence-quote').allTextContents(), { timeout: 10_000 }).toContain(`${IMG} quoted`);
    await expect.poll(() => page.getByTestId('claim-evidence').textContent()).toContain(`${SVG} title`);
    await page.getByTestId('tab-sources').click();
    await expect
      .poll(
        () =>
          page
            .getByTestId('source-item')
            .filter({ hasText: `${SVG} title` })
            .count(),
        { timeout: 10_000 },
      )
      .toBe(1);

    // The comment thread of the payload claim.
    // The claim may sit under the minimap: dispatch the click rather than aim it.
    await node.getByTestId('comment-count').dispatchEvent('click');
    await expect.poll(() => page.locator('body').textContent(), { timeout: 10_000 }).toContain(`${SVG} ${IMG}`);
    await expectInert(page);
    expect(cspViolations).toEqual([]);
  });

  it('an imported Kialo file carrying payloads', async () => {
    const text = [`Discussion Title: ${IMG}`, '', `1. ${SVG}`, `1.1. Pro: ${IMG} [link](javascript:alert(1))`, `1.2. Con: ${JS_LINK}`].join(
      '\n',
    );
    // Importing needs an account.
    const signUp = await api('/api/auth/sign-up/email', {
      name: 'Mallory',
      email: 'mallory@example.org',
      password: 'a long enough password',
    });
    expect(signUp.status).toBe(200);
    const res = await api('/api/import', { format: 'kialo', text });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const id = (res.body as { debate?: { id?: string } }).debate?.id;
    expect(id, JSON.stringify(res.body)).toBeTruthy();
    await page.goto(`${base}/debates/${id}`);
    await expect.poll(() => page.getByTestId('connection-status').getAttribute('data-synced'), { timeout: 30_000 }).toBe('yes');
    await expect
      .poll(() => page.getByTestId('claim-text').allTextContents(), { timeout: 10_000 })
      .toEqual(expect.arrayContaining([expect.stringContaining(SVG), expect.stringContaining(IMG), expect.stringContaining(JS_LINK)]));
    await expectInert(page);
    expect(cspViolations).toEqual([]);
  });
});
