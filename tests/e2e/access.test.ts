import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import type { Browser, Page } from 'playwright-core';
import { addClaim } from '../../lib/model/doc';
import { MessageType, SyncStep } from '../../lib/protocol';
import { launchBrowser, startAppServer, type E2EServer } from './server';

/** A y-websocket "update" frame adding one claim, as the canvas would send it. */
function claimFrame(id: string): number[] {
  const doc = new Y.Doc();
  addClaim(doc, { id, text: `written by the page (${id})`, x: 0, y: 0, author: 'e2e' });
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, MessageType.Sync);
  encoding.writeVarUint(e, SyncStep.Update);
  encoding.writeVarUint8Array(e, Y.encodeStateAsUpdate(doc));
  return [...encoding.toUint8Array(e)];
}

/**
 * Opens the debate's sync socket from inside the page — same origin, the page's own session
 * cookie — sends one update and reports how the server answered: 'open' (accepted, socket still
 * up after a while) or the close code.
 */
async function writeFromPage(page: Page, debateId: string, frame: number[]): Promise<number | 'open' | 'refused'> {
  return page.evaluate(
    async ({ debateId, frame }) => {
      const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/yjs/${debateId}`);
      ws.binaryType = 'arraybuffer';
      const opened = await new Promise<boolean>((resolve) => {
        ws.onopen = () => resolve(true);
        ws.onerror = () => resolve(false);
      });
      if (!opened) return 'refused' as const;
      ws.send(new Uint8Array(frame));
      return new Promise<number | 'open'>((resolve) => {
        ws.onclose = (e) => resolve(e.code);
        setTimeout(() => {
          ws.close();
          resolve('open');
        }, 2500);
      });
    },
    { debateId, frame },
  );
}

describe('accounts and roles in the browser', () => {
  let server: E2EServer;
  let browser: Browser;
  beforeAll(async () => {
    server = await startAppServer({ CRUX_SEED: 'off' });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    expect(await server?.stop()).toBe(0);
  });

  it('sign up, team debate, a guest invited as viewer cannot write until promoted to participant', async () => {
    const owner = await (await browser.newContext({ viewport: { width: 1280, height: 860 } })).newPage();
    // Field errors come from the shared schema, before anything is sent.
    await owner.goto(`${server.url}/sign-up`);
    await owner.getByLabel('Name (shown to others)').fill('Olga Owner');
    await owner.getByLabel('Email').fill('olga@example');
    await owner.getByLabel(/^Password/).fill('short');
    await owner.getByRole('button', { name: 'Create account' }).click();
    await expect.poll(() => owner.getByTestId('error-email').textContent()).toContain('email address');
    expect(await owner.getByTestId('error-password').textContent()).toContain('at least 10 characters');

    await owner.getByLabel('Email').fill('olga@example.com');
    await owner.getByLabel(/^Password/).fill('a long enough password');
    await owner.getByRole('button', { name: 'Create account' }).click();
    await owner.waitForURL(`${server.url}/`);
    await expect.poll(() => owner.getByTestId('signed-in-as').textContent()).toContain('Olga Owner');
    const cookies = await owner.context().cookies();
    const session = cookies.find((c) => c.name === 'crux.session_token')!;
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax' });

    await owner.goto(`${server.url}/teams`);
    await owner.getByLabel('New team').fill('Research');
    await owner.getByRole('button', { name: 'Create team' }).click();
    await owner.waitForURL(/\/teams\/[^/]+$/);

    await owner.goto(server.url);
    await owner.getByLabel('Title').fill('Does remote work raise output?');
    await owner.getByLabel('Belongs to').selectOption({ label: 'team Research' });
    await owner.getByRole('button', { name: 'Create debate' }).click();
    await owner.waitForURL(/\/debates\/[^/]+$/);
    const debateId = new URL(owner.url()).pathname.split('/').pop()!;
    await expect.poll(() => owner.getByTestId('connection-status').getAttribute('data-synced'), { timeout: 20_000 }).toBe('yes');

    const settings = await owner.context().newPage();
    await settings.goto(`${server.url}/debates/${debateId}/settings`);
    await expect.poll(() => settings.getByTestId('my-role').textContent()).toBe('owner');
    await settings.getByTestId('invite-form').getByLabel('Role').selectOption('viewer');
    await settings.getByRole('button', { name: 'Make invite link' }).click();
    const inviteUrl = await (async () => {
      await expect.poll(() => settings.getByTestId('invite-url').inputValue()).toContain('/invite/');
      return settings.getByTestId('invite-url').inputValue();
    })();

    // A second browser, nobody signed in: the link offers to join as a guest with a name only.
    const guestCtx = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    const guest = await guestCtx.newPage();
    await guest.goto(inviteUrl);
    await expect.poll(() => guest.getByTestId('invite-role').textContent()).toBe('viewer');
    await guest.getByRole('button', { name: 'Join as a guest' }).click();
    await expect.poll(() => guest.getByTestId('error-name').textContent()).toContain('name is required');
    await guest.getByLabel('Your name, as others will see it').fill('Vera Viewer');
    await guest.getByRole('button', { name: 'Join as a guest' }).click();
    await guest.waitForURL(`${server.url}/debates/${debateId}`);

    // The viewer: settings show the role and nothing to manage; the socket refuses a write.
    const guestSettings = await guestCtx.newPage();
    await guestSettings.goto(`${server.url}/debates/${debateId}/settings`);
    await expect.poll(() => guestSettings.getByTestId('my-role').textContent()).toBe('viewer');
    expect(await guestSettings.getByTestId('invite-form').count()).toBe(0);
    expect(await guestSettings.getByTestId('toggle-lock').count()).toBe(0);
    expect(await writeFromPage(guest, debateId, claimFrame('by-viewer'))).toBe(4403);
    await owner.waitForTimeout(500);
    expect(await owner.getByTestId('claim-node').count()).toBe(0);

    // The owner promotes the guest in the members list.
    await settings.reload();
    const row = settings.locator('[data-testid="member"][data-name="Vera Viewer"]');
    await expect.poll(() => row.count()).toBe(1);
    await row.getByTestId('member-role').selectOption('participant');
    await expect.poll(() => row.getByTestId('member-role').inputValue()).toBe('participant');

    await guestSettings.reload();
    await expect.poll(() => guestSettings.getByTestId('my-role').textContent()).toBe('participant');
    expect(await writeFromPage(guest, debateId, claimFrame('by-participant'))).toBe('open');
    await expect.poll(() => owner.getByTestId('claim-node').count(), { timeout: 10_000 }).toBe(1);

    // A lock makes the participant read-only again, on the socket too.
    await settings.getByTestId('toggle-lock').click();
    await expect.poll(() => settings.getByTestId('lock-state').textContent()).toBe('Locked');
    expect(await writeFromPage(guest, debateId, claimFrame('while-locked'))).toBe(4403);

    // The audit log shows who did what.
    await settings.reload();
    await expect.poll(() => settings.getByTestId('audit-log').textContent()).toContain('locked the debate');
    expect(await settings.getByTestId('audit-log').textContent()).toContain('Vera Viewer');
    await guestCtx.close();
    await owner.context().close();
  });

  it('a private debate is not served to someone signed out, nor its title', async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await page.goto(`${server.url}/sign-up`);
    await page.getByLabel('Name (shown to others)').fill('Pia Private');
    await page.getByLabel('Email').fill('pia@example.com');
    await page.getByLabel(/^Password/).fill('a long enough password');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL(`${server.url}/`);
    await page.getByLabel('Title').fill('Secret plans');
    await page.getByRole('button', { name: 'Create debate' }).click();
    await page.waitForURL(/\/debates\/[^/]+$/);
    const url = page.url();
    const stranger = await (await browser.newContext()).newPage();
    const res = await stranger.goto(url);
    expect(stranger.url()).toContain('/sign-in?next=');
    expect(await res?.text()).not.toContain('Secret plans');
    expect(await stranger.getByTestId('debate-link').count()).toBe(0);
    await ctx.close();
    await stranger.context().close();
  });
});
