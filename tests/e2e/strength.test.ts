import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { addClaim, addRelation } from '../../lib/model/doc';
import { MessageType, SyncStep } from '../../lib/protocol';
import { launchBrowser, signUpViaApi, startAppServer, type E2EServer } from './server';

/** A y-websocket update frame with a thesis t1 and a claim c1 supporting it (relation r1). */
function mapFrame(): number[] {
  const doc = new Y.Doc();
  addClaim(doc, { id: 't1', kind: 'thesis', text: 'Remote work raises output', x: 0, y: 0, author: 'e2e' });
  addClaim(doc, { id: 'c1', text: 'People waste less time commuting', x: 0, y: 260, author: 'e2e' });
  addRelation(doc, { id: 'r1', from: 'c1', to: 't1', kind: 'supports', author: 'e2e' });
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, MessageType.Sync);
  encoding.writeVarUint(e, SyncStep.Update);
  encoding.writeVarUint8Array(e, Y.encodeStateAsUpdate(doc));
  return [...encoding.toUint8Array(e)];
}

/** Sends one update over the page's own sync socket (same origin, its session cookie). */
async function writeFromPage(page: Page, debateId: string, frame: number[]): Promise<void> {
  const result = await page.evaluate(
    async ({ debateId, frame }) => {
      const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/yjs/${debateId}`);
      ws.binaryType = 'arraybuffer';
      const opened = await new Promise<boolean>((resolve) => {
        ws.onopen = () => resolve(true);
        ws.onerror = () => resolve(false);
      });
      if (!opened) return 'refused';
      ws.send(new Uint8Array(frame));
      return new Promise<string>((resolve) => {
        ws.onclose = (e) => resolve(String(e.code));
        setTimeout(() => {
          ws.close();
          resolve('open');
        }, 1500);
      });
    },
    { debateId, frame },
  );
  expect(result).toBe('open');
}

/**
 * Two people vote on the same claim of a public debate; each sees the other's vote in the node's
 * tally and strength bar. The owner (a moderator) moves the debate to voting, which freezes the
 * map for the participant but keeps votes open, then closes it, which shows the final standing.
 */
describe('votes, strength and phases in two browsers', () => {
  let server: E2EServer;
  let browser: Browser;
  let owner: Page;
  let guest: Page;
  const contexts: BrowserContext[] = [];
  let debateId = '';

  beforeAll(async () => {
    server = await startAppServer({ CRUX_SEED: 'off' });
    browser = await launchBrowser();
    const cookie = await signUpViaApi(server.url, 'Olga Owner', 'olga@example.com');
    const res = await fetch(`${server.url}/api/debates`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: server.url, cookie },
      body: JSON.stringify({ title: 'Does remote work raise output?', visibility: 'public', publicRole: 'participant' }),
    });
    expect(res.status).toBe(201);
    debateId = ((await res.json()) as { id: string }).id;

    const ownerCtx = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const [name, value] = cookie.split(/=(.*)/s) as [string, string];
    await ownerCtx.addCookies([{ name, value, url: server.url }]);
    const guestCtx = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    contexts.push(ownerCtx, guestCtx);
    owner = await ownerCtx.newPage();
    guest = await guestCtx.newPage();

    await guest.goto(`${server.url}/`);
    const status = await guest.evaluate(
      async () =>
        (
          await fetch('/api/account/guest', {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ name: 'Gus Guest' }),
          })
        ).status,
    );
    expect(status).toBe(201);
  });

  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    expect(await server?.stop()).toBe(0);
  });

  it('both people open the debate with a thesis and a supporting claim', async () => {
    await owner.goto(`${server.url}/debates/${debateId}`);
    await expect.poll(() => owner.getByTestId('connection-status').getAttribute('data-synced'), { timeout: 20_000 }).toBe('yes');
    await writeFromPage(owner, debateId, mapFrame());
    await guest.goto(`${server.url}/debates/${debateId}`);
    for (const p of [owner, guest]) {
      await expect.poll(() => p.getByTestId('connection-status').getAttribute('data-synced'), { timeout: 20_000 }).toBe('yes');
      await expect.poll(() => p.getByTestId('evidence-sidebar').getAttribute('data-live'), { timeout: 10_000 }).toBe('open');
      await expect.poll(() => node(p, 'c1').count(), { timeout: 10_000 }).toBe(1);
    }
  });

  const node = (p: Page, id: string) => p.locator(`[data-testid="claim-node"][data-claim-id="${id}"]`);
  const count = (p: Page, id: string) => node(p, id).getByTestId('node-tally').getAttribute('data-count');
  const score = (p: Page, id: string) => node(p, id).getByTestId('node-strength').getAttribute('data-score');
  const openStrength = async (p: Page, id: string) => {
    await node(p, id).getByTestId('claim-text').click();
    await p.getByTestId('tab-strength').click();
    await expect.poll(() => p.getByTestId('strength-claim').getAttribute('data-claim-id')).toBe(id);
  };

  it("each person's vote shows up in the other's tally and strength bar", async () => {
    // Nobody has voted: both claims start undecided, and the thesis shows its standing large.
    await expect.poll(() => score(guest, 'c1'), { timeout: 10_000 }).toBe('50');
    await expect.poll(() => node(guest, 't1').getByTestId('thesis-standing-node').textContent()).toContain('75%');
    await openStrength(owner, 'c1');
    await openStrength(guest, 'c1');

    let t0 = Date.now();
    await owner.getByTestId('vote-claim-4').click();
    await expect.poll(() => count(guest, 'c1'), { timeout: 5_000 }).toBe('1');
    await expect.poll(() => score(guest, 'c1'), { timeout: 5_000 }).toBe('100');
    console.log(`[e2e strength] the other page's tally and bar updated ${Date.now() - t0} ms after the vote`);
    await expect.poll(() => owner.getByTestId('my-vote-claim').textContent()).toContain('Your vote: 4');
    await expect.poll(() => guest.getByTestId('tally-claim-4').textContent()).toBe('1');

    t0 = Date.now();
    await guest.getByTestId('vote-claim-0').click();
    await expect.poll(() => count(owner, 'c1'), { timeout: 5_000 }).toBe('2');
    await expect.poll(() => score(owner, 'c1'), { timeout: 5_000 }).toBe('50');
    console.log(`[e2e strength] the other page's tally and bar updated ${Date.now() - t0} ms after the vote`);
    await expect.poll(() => owner.getByTestId('tally-claim-summary').textContent()).toContain('2 votes, mean 2.0');
    // The thesis gained from its supporter: 0.5 + 0.5 × 0.5 under DF-QuAD.
    await expect.poll(() => score(owner, 't1')).toBe('75');
    // The explanation names where the base score came from.
    await expect.poll(() => owner.getByTestId('explanation').textContent()).toContain('mean 2.0 of 4 from 2 votes');
  });

  it('an impact vote on a relation sets its width and label for the other person; retracting undoes it', async () => {
    const edge = (p: Page) => p.locator('.react-flow__edge[data-id="r1"]');
    await edge(owner).click();
    await expect.poll(() => owner.getByTestId('strength-relation').getAttribute('data-relation-id')).toBe('r1');
    await owner.getByTestId('vote-relation-2').click();
    await expect.poll(() => edge(guest).textContent(), { timeout: 5_000 }).toBe('supports · impact 2.0 (1)');
    // 1 px + the mean impact: 3 px at "moderate".
    expect(
      await edge(guest)
        .locator('path.react-flow__edge-path')
        .evaluate((el) => getComputedStyle(el).strokeWidth),
    ).toBe('3px');
    // Half weight: the thesis gains half as much from c1 (0.5 + 0.5 × 0.5 × 0.5).
    await expect.poll(() => score(guest, 't1')).toBe('63');
    await owner.getByTestId('retract-relation').click();
    await expect.poll(() => edge(guest).textContent(), { timeout: 5_000 }).toBe('supports');
    await expect.poll(() => score(guest, 't1')).toBe('75');
    await openStrength(owner, 'c1');
  });

  it('two perspectives side by side, and the crux finder focuses the split claim', async () => {
    // The owner's own votes (c1: 4) against everyone's (c1: mean 2).
    await owner.getByTestId('compare-with').selectOption({ label: 'Only my votes' });
    await expect.poll(() => node(owner, 'c1').getByTestId('node-delta').textContent(), { timeout: 5_000 }).toBe('+50 pts');
    const compared = owner.locator('[data-testid="compare-row"][data-claim-id="c1"]');
    await expect.poll(() => compared.textContent()).toContain('50%100%+50 pts');
    await owner.getByTestId('compare-with').selectOption('');
    await expect.poll(() => node(owner, 'c1').getByTestId('node-delta').count()).toBe(0);

    // Quadratic energy: E = 0.5, h(E) = 0.25 / 1.25, so the thesis stands at 0.5 + 0.5 × 0.2.
    const semantics = (s: string) => owner.locator('label', { has: owner.getByTestId(`semantics-${s}`) });
    await semantics('quadratic-energy').click();
    await expect.poll(() => score(owner, 't1'), { timeout: 5_000 }).toBe('60');
    await semantics('dfquad').click();
    await expect.poll(() => score(owner, 't1'), { timeout: 5_000 }).toBe('75');

    // The outline shows the same bars, with the tally as text.
    await owner.getByTestId('toggle-outline').click();
    const row = owner.locator('[data-testid="outline-item"][data-claim-id="c1"] [data-testid="outline-strength"]').first();
    await expect.poll(() => row.getAttribute('data-score')).toBe('50');
    expect(await row.textContent()).toContain('2 votes, mean 2.0 of 4');
    expect(await row.getByRole('meter').getAttribute('aria-valuetext')).toBe('Strength 50%');
    await owner.getByTestId('toggle-outline').click();

    // One vote of 4 and one of 0: c1 is as polarised as a claim can be, and it moves the thesis.
    await guest.getByTestId('tab-cruxes').click();
    await expect.poll(() => guest.getByTestId('crux').first().getAttribute('data-claim-id'), { timeout: 5_000 }).toBe('c1');
    expect(await node(guest, 'c1').getByTestId('node-crux').textContent()).toBe('crux #1');
    await guest.locator('.react-flow__pane').click({ position: { x: 20, y: 20 } });
    await guest.getByTestId('focus-cruxes').click();
    await expect.poll(() => node(guest, 'c1').getAttribute('class')).toContain('is-selected');
    await guest.getByTestId('tab-strength').click();
  });

  it('voting freezes the map for the participant but not the votes; closing shows the final standing', async () => {
    expect(await guest.getByTestId('add-claim').count()).toBe(1);
    await owner.getByTestId('phase-to-voting').click();
    for (const p of [owner, guest]) {
      await expect.poll(() => p.getByTestId('phase').getAttribute('data-phase'), { timeout: 5_000 }).toBe('voting');
      await expect.poll(() => p.getByTestId('phase-banner').textContent()).toContain('the map is frozen, votes are open');
    }
    await expect.poll(() => guest.locator('.canvas-page').getAttribute('data-readonly')).toBe('yes');
    expect(await guest.getByTestId('add-claim').count()).toBe(0);
    expect(await guest.getByTestId('phase-to-closed').count()).toBe(0);

    // Votes stay open: the participant changes theirs and the owner sees it.
    await expect.poll(() => guest.getByTestId('vote-claim-1').isEnabled()).toBe(true);
    await guest.getByTestId('vote-claim-1').click();
    await expect.poll(() => owner.getByTestId('tally-claim-summary').textContent(), { timeout: 5_000 }).toContain('mean 2.5');
    await expect.poll(() => score(owner, 't1')).toBe('81');

    await owner.getByTestId('phase-to-closed').click();
    for (const p of [owner, guest]) {
      await expect.poll(() => p.getByTestId('phase').getAttribute('data-phase'), { timeout: 5_000 }).toBe('closed');
      await expect.poll(() => p.getByTestId('final-standing').textContent(), { timeout: 5_000 }).toBe('81%');
    }
    expect(await guest.getByTestId('phase-banner').textContent()).toContain('Remote work raises output');
    await expect.poll(() => guest.getByTestId('vote-claim-3').isDisabled()).toBe(true);
  });
});
