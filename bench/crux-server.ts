/*
 * Launches Crux's own server for bench/run.mjs: startServer() from server/app.ts with Next off,
 * on a loopback port, against the Postgres database the orchestrator created (argument: its URL)
 * or, with the argument `pglite`, a fresh embedded PGlite in a temp directory (removed on stop).
 * Run as production runs it: `node --import tsx`. Talks to the orchestrator over IPC.
 *
 * `--relay-before-commit` (run.mjs's crux-pg-early) is a measurement, not a product: the store
 * acknowledges each group commit at once and commits it in the background, in order, so the
 * room relays before the update is durable. It prices the "durable before relay" guarantee; a
 * crash would lose what was relayed and not yet committed, and a failed commit is only counted.
 *
 * `--spin-while-committing` (run.mjs's crux-pg-spin) is another measurement: durable before relay
 * as in the product, but while a commit is in flight the event loop spins (setImmediate) instead
 * of sleeping, so the server's core never idles and the commit's answer is read at once. It
 * prices the server's own wake-up inside a paced commit (bench/commit-cost.mjs), at the cost of
 * a busy core for the length of every commit.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { startServer } from '../server/app';
import type { DocStore } from '../server/persistence/docStore';
import type { TestStore } from '../tests/integration/harness';
import { serveProbe, ready } from './lib/probe.mjs';

const ROOT = path.resolve(import.meta.dirname, '..');
const target = process.argv[2];
if (!target) throw new Error('usage: crux-server.ts <postgres url | pglite> [--relay-before-commit | --spin-while-committing]');
const relayBeforeCommit = process.argv.includes('--relay-before-commit');
const spinWhileCommitting = process.argv.includes('--spin-while-committing');
let inFlight = 0;
const spin = () => {
  if (inFlight > 0) setImmediate(spin);
};

// PGlite: the integration harness's store (a copy of a cached fresh cluster, so no initdb wait).
// Imported only then: the harness brings vitest, PGlite and y-websocket, which a server on
// Postgres does not load, and which inflated its "RSS at start" until run 13 (275 → 260 MB in
// one run each).
let pglite: TestStore | undefined;
if (target === 'pglite') pglite = await (await import('../tests/integration/harness')).createStore('pglite');
/**
 * Commit times of the group-commit writer, through startServer's wrapStore seam (each call is
 * passed on unchanged, with its commit id, and answered with the store's answer): how much of a
 * propagation time is "durable before relay". With --relay-before-commit the store answers at
 * once, and each commit is timed from that answer to its end: how long after its relay an
 * update became durable, queueing behind earlier commits included.
 */
let commits: { ms: number; updates: number }[] = [];
let lateFailures = 0;
/** --relay-before-commit: the background commits, one after another in arrival order. */
let behind: Promise<unknown> = Promise.resolve();
const timedStore = (store: DocStore): DocStore => {
  const timed = async (batch: Parameters<DocStore['append']>[0], commit: Parameters<DocStore['append']>[1], since = performance.now()) => {
    if (spinWhileCommitting && inFlight++ === 0) setImmediate(spin);
    try {
      return await store.append(batch, commit);
    } finally {
      if (spinWhileCommitting) inFlight--;
      commits.push({ ms: performance.now() - since, updates: batch.length });
    }
  };
  return {
    load: (id) => store.load(id),
    compact: (id) => store.compact(id),
    append: (batch, commit) => {
      if (!relayBeforeCommit) return timed(batch, commit);
      const since = performance.now();
      // A failed background commit is lost (the writer was told it succeeded): only counted.
      behind = behind.then(() => timed(batch, commit, since)).catch(() => void lateFailures++);
      return Promise.resolve();
    },
  };
};
const commitStats = (): Record<string, number> => {
  const ms = commits.map((c) => c.ms).sort((a, b) => a - b);
  const at = (q: number) => (ms.length ? ms[Math.min(ms.length - 1, Math.floor(q * ms.length))]! : NaN);
  return {
    commits: ms.length,
    commitUpdates: commits.reduce((n, c) => n + c.updates, 0),
    commitP50: at(0.5),
    commitP99: at(0.99),
    commitMax: ms.length ? ms[ms.length - 1]! : NaN,
    ...(relayBeforeCommit ? { lateCommitFailures: lateFailures } : {}),
  };
};

const server = await startServer({
  next: false,
  log: () => undefined,
  wrapStore: timedStore,
  config: {
    port: 0,
    host: '127.0.0.1',
    dev: false,
    seed: false,
    rootDir: ROOT,
    publicUrl: undefined,
    ...(pglite ? pglite.config() : { databaseUrl: target, dataDir: path.join(ROOT, 'bench', 'out', 'unused') }),
  },
});

serveProbe(
  {
    /**
     * Unknown debates are refused (404), so every room needs its Debate row; the join-storm's room
     * also gets its 10,000-claim document as the stored snapshot, as a compacted debate has.
     */
    prepare: async ({ room, snapshotFile }: { room: string; snapshotFile?: string }) => {
      await server.db.sql.query('INSERT INTO "Debate" ("id", "title") VALUES ($1, $2) ON CONFLICT ("id") DO NOTHING', [
        room,
        `bench ${room}`,
      ]);
      if (snapshotFile) {
        const data = new Uint8Array(await readFile(snapshotFile));
        await server.db.sql.query(
          `INSERT INTO "DocSnapshot" ("debateId", "data", "updatesFolded", "updatedAt") VALUES ($1, $2, 0, now())
         ON CONFLICT ("debateId") DO UPDATE SET "data" = EXCLUDED."data"`,
          [room, data],
        );
      }
      return { path: '/yjs/' };
    },
    loaded: ({ room }: { room: string }) => server.rooms.peek(room) !== undefined,
    writerStats: () => ({ ...server.writer.stats }),
    stop: async () => {
      if (relayBeforeCommit) {
        await server.writer.drain();
        await behind;
      }
      await server.close();
      await pglite?.dispose();
      setTimeout(() => process.exit(0), 50);
      return true;
    },
  },
  {
    onReset: () => {
      commits = [];
      lateFailures = 0;
    },
    extraStats: commitStats,
  },
);

ready({ port: server.port, pathPrefix: '/yjs/', protocol: 'y-websocket' });
