// The compaction merge off the event loop (server/persistence/mergeWorker.ts): applies a
// snapshot and log rows to a fresh Y.Doc in one transaction and answers with the encoded state.
// Plain JavaScript, so that it runs as a worker without the TypeScript loader.
import { readlinkSync } from 'node:fs';
import process from 'node:process';
import os from 'node:os';
import { parentPort } from 'node:worker_threads';
import * as Y from 'yjs';

/*
 * The merge is background work: this thread yields its core to the event loop. A merge that
 * shared the event loop's core at the same priority (one core per process, or a pinned one)
 * took turns with it, and the event loop waited its turn: with 200 writers in one room, a
 * compaction every 5 s put the writers' propagation p99 at 15.6 ms against 6.9 ms with
 * compaction off, and at 8.8–8.9 ms with this thread at nice 19 (bench/RESULTS.md, "Writers",
 * run 12; the median of rounds, single rounds vary more). A merge starved by a busy core only
 * delays the next snapshot: compaction holds no transaction while it merges (docStore.ts).
 * On Linux a thread id is a valid target for setpriority, and only that thread changes. The id
 * comes from /proc/thread-self, which is only trusted when /proc is this process's own (a /proc
 * of another PID namespace could name another process); elsewhere the worker keeps the
 * process's priority.
 */
try {
  if (readlinkSync('/proc/self') === String(process.pid)) {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid > 0) os.setPriority(tid, os.constants.priority.PRIORITY_LOW);
  }
} catch {
  // Not Linux, or not allowed: the merge still runs, at the process's priority.
}

parentPort.on('message', ({ id, updates }) => {
  const doc = new Y.Doc();
  try {
    Y.transact(doc, () => {
      for (const u of updates) Y.applyUpdate(doc, u);
    });
    const merged = Y.encodeStateAsUpdate(doc);
    parentPort.postMessage({ id, merged }, [merged.buffer]);
  } catch (e) {
    parentPort.postMessage({ id, error: e instanceof Error ? e.message : String(e) });
  } finally {
    doc.destroy();
  }
});
