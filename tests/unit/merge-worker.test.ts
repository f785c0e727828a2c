import { readdirSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addClaim, claimsMap, deleteClaims, ensureRoots, readGraph, setClaimText } from '@/lib/model/doc';
import { mergeHere } from '@/server/persistence/docStore';
import { createMerger, type Merger } from '@/server/persistence/mergeWorker';

/*
 * Compaction's merge in a worker thread (server/persistence/mergeWorker.ts) gives exactly what
 * the same merge on the calling thread gives; a malformed row fails it as it would there; a
 * worker that dies is replaced by the calling thread, so compaction never stops.
 */

/** A snapshot and a log of small edits, with deletions, as compaction reads them. */
function history(): Uint8Array[] {
  const doc = new Y.Doc();
  ensureRoots(doc);
  const out: Uint8Array[] = [];
  doc.on('update', (u: Uint8Array) => out.push(u));
  for (let i = 0; i < 40; i++) addClaim(doc, { id: `c${i}`, text: `claim ${i}`, x: i, y: 0, author: 'a', now: i });
  for (let i = 0; i < 40; i += 3) setClaimText(doc, `c${i}`, `edited ${i}`);
  deleteClaims(doc, ['c1', 'c2', 'c3']);
  return [Y.mergeUpdates(out.slice(0, 10)), ...out.slice(10)];
}

/** This process's threads and their nice values (Linux). */
function threadNices(): Map<string, number> {
  const out = new Map<string, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      // After "pid (comm) ": state is field 3, nice is field 19.
      out.set(tid, Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]));
    } catch {
      // the thread ended meanwhile
    }
  }
  return out;
}

const graphOf = (update: Uint8Array) => {
  const d = new Y.Doc();
  Y.applyUpdate(d, update);
  return readGraph(d);
};

describe('compaction merge in a worker thread', () => {
  let merger: Merger | undefined;
  afterEach(async () => {
    await merger?.close();
    merger = undefined;
  });

  it('gives the bytes the calling thread gives, for many merges at once', async () => {
    merger = createMerger();
    const updates = history();
    const here = mergeHere(updates);
    const results = await Promise.all(Array.from({ length: 5 }, () => merger!.merge(updates)));
    for (const r of results) expect(Buffer.from(r).equals(Buffer.from(here))).toBe(true);
    const doc = new Y.Doc();
    Y.applyUpdate(doc, results[0]!);
    expect(claimsMap(doc).size).toBe(37);
    // The caller's buffers were copied, not transferred away.
    expect(updates.every((u) => u.byteLength > 0)).toBe(true);
  });

  it('a malformed row fails the merge (as on the calling thread) and the worker carries on', async () => {
    merger = createMerger();
    const bad = [new Uint8Array([1, 2, 3, 200, 200, 200, 200])];
    expect(() => mergeHere(bad)).toThrow();
    await expect(merger.merge(bad)).rejects.toThrow();
    expect(graphOf(await merger.merge(history())).claims).toHaveLength(37);
  });

  // Under a process already at nice 19 there is nothing lower to go to, and nothing to see.
  const niceOfProcess = process.platform === 'linux' ? threadNices().get(String(process.pid)) : undefined;
  it.skipIf(niceOfProcess === undefined || niceOfProcess >= 19)('runs at the lowest priority, and only its own thread does', async () => {
    const mine = niceOfProcess!;
    const lowered = () => [...threadNices()].filter(([, nice]) => nice > mine).map(([tid]) => tid);
    const before = lowered();
    merger = createMerger();
    await merger.merge(history());
    const during = lowered().filter((tid) => !before.includes(tid));
    expect(during).toHaveLength(1);
    expect(threadNices().get(during[0]!)).toBe(19);
    // The main thread keeps its priority.
    expect(threadNices().get(String(process.pid))).toBe(mine);
    await merger.close();
    // A joined thread can linger in /proc for a moment.
    await expect.poll(() => lowered().filter((tid) => !before.includes(tid)), { timeout: 2000 }).toEqual([]);
  });

  it('after close, merges run on the calling thread', async () => {
    merger = createMerger();
    await merger.merge(history());
    await merger.close();
    expect(graphOf(await merger.merge(history())).claims).toHaveLength(37);
  });
});
