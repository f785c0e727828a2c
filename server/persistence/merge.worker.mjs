// The compaction merge off the event loop (server/persistence/mergeWorker.ts): applies a
// snapshot and log rows to a fresh Y.Doc in one transaction and answers with the encoded state.
// Plain JavaScript, so that it runs as a worker without the TypeScript loader.
import { parentPort } from 'node:worker_threads';
import * as Y from 'yjs';

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
