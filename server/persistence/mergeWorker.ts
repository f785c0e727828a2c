import { Worker } from 'node:worker_threads';
// Only the server entry (server/app.ts) imports this module: route handlers that Next bundles
// must not meet the worker's URL.
import { mergeHere } from './docStore';

/**
 * Merges a debate's snapshot and log rows for compaction (SqlDocStore `merge`; the worker does
 * what docStore.ts mergeHere does). Done on the event loop, a compaction stalled every room of
 * the process: ~100–130 ms for 500 rows with 200
 * writers, ~0.9 s for a 10,000-claim debate (bench/RESULTS.md). Here one worker thread does it,
 * one merge at a time; the event loop only copies the bytes over.
 *
 * If the worker cannot start or dies, merges fall back to the calling thread (slower, never
 * wrong), and the next merge starts a new worker.
 */
export interface Merger {
  merge(updates: Uint8Array[]): Promise<Uint8Array>;
  close(): Promise<void>;
}

/** The worker failed or went away (not the merge itself): the caller merges on its own thread. */
class WorkerGone extends Error {}

export function createMerger(): Merger {
  let worker: Worker | undefined;
  let next = 0;
  const waiting = new Map<number, { resolve: (u: Uint8Array) => void; reject: (e: Error) => void }>();
  let closed = false;

  const fail = (e: WorkerGone) => {
    for (const w of waiting.values()) w.reject(e);
    waiting.clear();
    worker = undefined;
  };
  const start = (): Worker => {
    const w = new Worker(new URL('./merge.worker.mjs', import.meta.url));
    w.unref();
    w.on('message', (m: { id: number; merged?: Uint8Array; error?: string }) => {
      const p = waiting.get(m.id);
      if (!p) return;
      waiting.delete(m.id);
      if (m.merged) p.resolve(m.merged);
      else p.reject(new Error(m.error ?? 'merge failed'));
    });
    w.on('error', (e) => fail(new WorkerGone(e.message)));
    w.on('exit', (code) => {
      if (worker === w) fail(new WorkerGone(`merge worker exited with code ${code}`));
    });
    return w;
  };

  return {
    async merge(updates) {
      if (closed) return mergeHere(updates);
      try {
        worker ??= start();
      } catch {
        return mergeHere(updates);
      }
      const id = ++next;
      // Copies, so that the caller's buffers (e.g. pg's) stay valid; the copies are transferred.
      const copies = updates.map((u) => u.slice());
      const w = worker;
      try {
        return await new Promise<Uint8Array>((resolve, reject) => {
          waiting.set(id, { resolve, reject });
          w.postMessage(
            { id, updates: copies },
            copies.map((c) => c.buffer as ArrayBuffer),
          );
        });
      } catch (e) {
        if (e instanceof WorkerGone) return mergeHere(updates);
        throw e;
      }
    },
    async close() {
      closed = true;
      const w = worker;
      worker = undefined;
      if (w) await w.terminate();
      fail(new WorkerGone('merge worker closed'));
    },
  };
}
