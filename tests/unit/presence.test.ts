import { expect, it } from 'vitest';
import * as Y from 'yjs';
import { Awareness, applyAwarenessUpdate, encodeAwarenessUpdate } from 'y-protocols/awareness';
import { PresenceStore, parsePresence } from '@/app/_components/canvas/presence/presenceStore';

it('throttles to ~30 Hz and reads peers safely', async () => {
  const a = new Awareness(new Y.Doc());
  const b = new Awareness(new Y.Doc());
  let sent = 0;
  a.on('update', ({ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] }, origin: unknown) => {
    if (origin === 'remote') return;
    sent++;
    applyAwarenessUpdate(b, encodeAwarenessUpdate(a, [...added, ...updated, ...removed]), 'remote');
  });
  const sa = new PresenceStore(a, { name: 'Ann', colour: '#117733' });
  const sb = new PresenceStore(b, { name: 'Bo', colour: '#882255' });
  let notified = 0;
  sb.subscribe(() => notified++);
  sent = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < 200) {
    sa.setCursor({ x: Math.random(), y: 1 });
    await new Promise((r) => setTimeout(r, 2));
  }
  await new Promise((r) => setTimeout(r, 50));
  console.log('sent in 200ms:', sent, 'notified', notified);
  expect(sent).toBeLessThanOrEqual(9);
  expect(sb.getPeers()[0]?.user.name).toBe('Ann');
  const sel1 = sb.getSelections();
  sa.setCursor({ x: 5, y: 5 });
  await new Promise((r) => setTimeout(r, 50));
  expect(sb.getSelections()).toBe(sel1);
  sa.setSelection(['c1']);
  await new Promise((r) => setTimeout(r, 50));
  expect(sb.getSelections().get('c1')?.[0]?.colour).toBe('#117733');
  expect(parsePresence(7, { user: { name: 'x', colour: 'red;background:url(x)' } })?.user.colour).toMatch(/^#[0-9A-F]{6}$/i);
  expect(parsePresence(7, { user: { name: 5 } })).toBeNull();
  sa.destroy();
  await new Promise((r) => setTimeout(r, 10));
  expect(sb.getPeers()).toEqual([]);
});
