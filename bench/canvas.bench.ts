/*
 * [canvas] performance in headless Chromium: how long a big map takes to open and become
 * interactive, and the frame times while dragging a claim in it. The same steps run on a small
 * map in the same invocation (the reference), so the table shows what size costs on this machine.
 *
 *   npm run build && npx tsx bench/canvas.bench.ts [--claims 2000] [--rounds 3] [--profile]
 *
 * --profile records Chromium CPU profiles of the first big-map open and drag into bench/out/
 * (canvas-open.cpuprofile, canvas-drag.cpuprofile; summarise with bench/prof-top.mjs).
 *
 * Targets (issue #4): a 2,000-claim map opens and is interactive in ≤ 3 s; dragging a node in it,
 * frame time p95 ≤ 33 ms. The server is the production build (tests/e2e/server.ts), the map is
 * laid out with lib/layout (dagre, as "Arrange" does) and written through the sync socket.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import * as Y from 'yjs';
import { WebSocket } from 'ws';
import { WebsocketProvider } from 'y-websocket';
import type { Page } from 'playwright-core';
import type { Claim } from '../lib/model/claim';
import type { Relation } from '../lib/model/relation';
import { newId, writeGraph } from '../lib/model/doc';
import { autoLayout } from '../lib/layout';
import { createPrng } from '../lib/testing/prng';
import { launchBrowser, signUpViaApi, startAppServer } from '../tests/e2e/server';

const { values } = parseArgs({
  options: {
    claims: { type: 'string', default: '2000' },
    rounds: { type: 'string', default: '3' },
    profile: { type: 'boolean', default: false },
  },
});
const BIG = Number(values.claims);
const SMALL = 25;
const ROUNDS = Number(values.rounds);

/** A tree under three theses with some cross-links, texts of 40–200 characters, laid out top-down. */
function makeGraph(n: number, seed: number): { claims: Claim[]; relations: Relation[] } {
  const rng = createPrng(seed);
  const words = 'scaling compute data energy cost limits progress evidence model training reasoning benchmark hardware trend'.split(' ');
  const text = () => {
    let s = '';
    const len = 40 + rng.int(160);
    while (s.length < len) s += (s ? ' ' : '') + words[rng.int(words.length)];
    return s.slice(0, len);
  };
  const claims: Claim[] = [];
  for (let i = 0; i < n; i++)
    claims.push({
      id: newId(() => rng.next()),
      text: text(),
      kind: i < 3 ? 'thesis' : 'claim',
      x: 0,
      y: 0,
      author: 'bench',
      tags: [],
      createdAt: 1_750_000_000_000 + i,
      updatedAt: 1_750_000_000_000 + i,
    });
  const relations: Relation[] = [];
  for (let i = 3; i < n; i++)
    relations.push({
      id: newId(() => rng.next()),
      from: claims[i]!.id,
      to: claims[Math.floor(rng.next() * Math.min(i, 3 + i / 4))]!.id,
      kind: rng.bool(0.6) ? 'supports' : 'attacks',
      group: '',
      author: 'bench',
      createdAt: 1_750_000_000_000,
    });
  const pos = autoLayout({ claims, relations });
  for (const c of claims) {
    const p = pos.get(c.id);
    if (p) Object.assign(c, p);
  }
  return { claims, relations };
}

async function createMap(url: string, cookie: string, n: number): Promise<string> {
  const res = await fetch(`${url}/api/debates`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: url, cookie },
    body: JSON.stringify({ title: `Bench map ${n}`, visibility: 'public' }),
  });
  if (!res.ok) throw new Error(`create debate: ${res.status} ${await res.text()}`);
  const { id } = (await res.json()) as { id: string };
  const doc = new Y.Doc();
  const WS = class extends WebSocket {
    constructor(u: string | URL) {
      super(u, { headers: { cookie, origin: url } });
    }
  };
  const provider = new WebsocketProvider(`${url.replace('http', 'ws')}/yjs`, id, doc, {
    WebSocketPolyfill: WS as unknown as typeof globalThis.WebSocket,
    disableBc: true,
  });
  await new Promise<void>((resolve) => provider.once('sync', () => resolve()));
  const graph = makeGraph(n, n);
  // Written in slices (claims first, then relations between them): a frame must stay under the server's 1 MB limit.
  for (let i = 0; i < graph.claims.length; i += 500) writeGraph(doc, { claims: graph.claims.slice(i, i + 500), relations: [] });
  for (let i = 0; i < graph.relations.length; i += 1000) writeGraph(doc, { claims: [], relations: graph.relations.slice(i, i + 1000) });
  // The server relays only what it stored: wait until a second client sees every claim.
  const check = new Y.Doc();
  const reader = new WebsocketProvider(`${url.replace('http', 'ws')}/yjs`, id, check, {
    WebSocketPolyfill: WS as unknown as typeof globalThis.WebSocket,
    disableBc: true,
  });
  const t0 = Date.now();
  while (check.getMap('claims').size < n) {
    if (Date.now() - t0 > 60_000) throw new Error(`only ${check.getMap('claims').size} of ${n} claims stored`);
    await new Promise((r) => setTimeout(r, 100));
  }
  reader.destroy();
  provider.destroy();
  return id;
}

interface Sample {
  openMs: number;
  frames: number[];
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};

/** A CPU profile of what runs between start() and stop(), written to bench/out/canvas-<name>.cpuprofile. */
async function profiler(page: Page): Promise<{ start: () => Promise<void>; stop: (name: string) => Promise<void> }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  return {
    start: async () => void (await cdp.send('Profiler.start')),
    stop: async (name) => {
      const { profile } = await cdp.send('Profiler.stop');
      await mkdir('bench/out', { recursive: true });
      await writeFile(`bench/out/canvas-${name}.cpuprofile`, JSON.stringify(profile));
    },
  };
}

async function measure(page: Page, url: string, n: number, profile = false): Promise<Sample> {
  const prof = profile ? await profiler(page) : null;
  await page.goto('about:blank');
  await prof?.start();
  const t0 = Date.now();
  await page.goto(url);
  // Interactive: synced, claims on screen and the map tools enabled (an editor's "+ Claim").
  await page
    .waitForFunction(
      (expected) => {
        const status = document.querySelector('[data-testid="connection-status"]');
        const add = document.querySelector<HTMLButtonElement>('[data-testid="add-claim"]');
        return (
          status?.getAttribute('data-synced') === 'yes' &&
          document.querySelectorAll('[data-testid="claim-node"]').length >= Math.min(expected, 10) &&
          add &&
          !add.disabled
        );
      },
      n,
      { timeout: 60_000, polling: 'raf' },
    )
    .catch(async (e: unknown) => {
      const state = await page.evaluate(
        'JSON.stringify({ status: document.querySelector(\'[data-testid="connection-status"]\')?.outerHTML, nodes: document.querySelectorAll(\'[data-testid="claim-node"]\').length, add: document.querySelector(\'[data-testid="add-claim"]\')?.outerHTML ?? null, url: location.href })',
      );
      await page.screenshot({ path: 'bench/out/canvas-timeout.png' });
      throw new Error(`map did not become interactive: ${String(state)} (screenshot: bench/out/canvas-timeout.png)`, { cause: e });
    });
  const openMs = Date.now() - t0;
  await prof?.stop('open');

  // Drag the claim nearest the middle of the pane for about a second, sampling frame times. Far
  // enough from the pane's edges that React Flow does not auto-pan: a pan during the drag would
  // leave the claim somewhere else than it started, and the next round's map would differ (a
  // claim left far away made the fitted view of the small map show nothing).
  const pane = (await page.locator('.react-flow').boundingBox())!;
  const boxes = await page
    .getByTestId('claim-node')
    .evaluateAll((els) => els.map((el) => el.getBoundingClientRect()).map((r) => ({ x: r.x, y: r.y, width: r.width, height: r.height })));
  const mid = { x: pane.x + pane.width / 2, y: pane.y + pane.height / 2 };
  const dist = (b: { x: number; y: number; width: number; height: number }) =>
    Math.hypot(b.x + b.width / 2 - mid.x, b.y + b.height / 2 - mid.y);
  const box = boxes.reduce((a, b) => (dist(b) < dist(a) ? b : a));
  await page.evaluate(() => {
    const w = window as unknown as { __frames: number[]; __rec: boolean };
    w.__frames = [];
    w.__rec = true;
    let last = performance.now();
    const tick = (t: number) => {
      w.__frames.push(t - last);
      last = t;
      if (w.__rec) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  await prof?.start();
  // The centre: at the fitted zoom of a big map a claim is only a few pixels tall.
  const x = box.x + box.width / 2;
  const y = box.y + box.height / 2;
  await page.mouse.move(x, y);
  await page.mouse.down();
  // Out and back, so the claim ends where it started and every round measures the same map.
  for (let i = 1; i <= 60; i++) {
    const t = i <= 30 ? i : 60 - i;
    await page.mouse.move(x + t * 8, y + Math.sin(t / 6) * 40);
    await page.waitForTimeout(16);
  }
  await page.mouse.up();
  const frames = await page.evaluate(() => {
    const w = window as unknown as { __frames: number[]; __rec: boolean };
    w.__rec = false;
    return w.__frames.slice(1);
  });
  await prof?.stop('drag');
  return { openMs, frames };
}

const server = await startAppServer({});
const browser = await launchBrowser();
try {
  const cookie = await signUpViaApi(server.url, 'Bench', `bench-${Date.now()}@example.com`);
  const maps = { small: await createMap(server.url, cookie, SMALL), big: await createMap(server.url, cookie, BIG) };
  const [name, value] = cookie.split('=') as [string, string];
  const results: Record<'small' | 'big', Sample[]> = { small: [], big: [] };
  // Alternating rounds, so drift in the machine's load hits both sizes alike; a fresh browser
  // context each time, so every open is a first visit (no offline copy in IndexedDB).
  for (let r = 0; r < ROUNDS; r++)
    for (const size of ['small', 'big'] as const) {
      const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 } });
      await ctx.addCookies([{ name, value, url: server.url }]);
      // tsx compiles the functions passed to page.evaluate with esbuild's __name helper, which the page lacks.
      await ctx.addInitScript('window.__name = (f) => f;');
      const page = await ctx.newPage();
      const n = size === 'big' ? BIG : SMALL;
      results[size].push(await measure(page, `${server.url}/debates/${maps[size]}`, n, values.profile && size === 'big' && r === 0));
      await ctx.close();
    }
  const row = (size: 'small' | 'big') => {
    const open = results[size].map((s) => s.openMs);
    const frames = results[size].flatMap((s) => s.frames);
    return {
      open: pct(open, 50),
      openMax: Math.max(...open),
      p50: pct(frames, 50),
      p95: pct(frames, 95),
      max: Math.max(...frames),
      n: frames.length,
    };
  };
  const small = row('small');
  const big = row('big');
  console.log(`\ncanvas in headless Chromium, ${ROUNDS} rounds each (median open; frame times pooled over all drags)\n`);
  console.log('| map | open → interactive (median / max) | drag frame p50 | p95 | max | frames |');
  console.log('|---|---|---|---|---|---|');
  for (const [label, r] of [
    [`${SMALL} claims (reference)`, small],
    [`${BIG} claims`, big],
  ] as const)
    console.log(
      `| ${label} | ${r.open} / ${r.openMax} ms | ${r.p50.toFixed(1)} ms | ${r.p95.toFixed(1)} ms | ${r.max.toFixed(1)} ms | ${r.n} |`,
    );
  console.log(`\nratios ${BIG} / ${SMALL}: open ${(big.open / small.open).toFixed(2)}×, drag p95 ${(big.p95 / small.p95).toFixed(2)}×`);
  console.log(
    `targets: open ≤ 3000 ms → ${big.open <= 3000 ? 'met' : 'NOT met'} (${big.open} ms); drag p95 ≤ 33 ms → ${big.p95 <= 33 ? 'met' : 'NOT met'} (${big.p95.toFixed(1)} ms)`,
  );
} catch (e) {
  console.error(e);
  process.exitCode = 1;
} finally {
  await browser.close();
  await server.stop();
  // Something the map writers leave behind (a socket or timer of y-websocket's) keeps Node alive.
  process.exit(process.exitCode ?? 0);
}
