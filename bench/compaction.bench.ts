/*
 * What a compaction policy costs on the 10,000-claim debate of bench/make-doc.ts, in-process (no
 * database): `node --import tsx bench/compaction.bench.ts`.
 *
 * A compaction (SqlDocStore.compact) reads the snapshot and the log, merges them (mergeHere, the
 * merge worker's code) and writes the whole merged snapshot back. A cold load (RoomManager) builds
 * a Room from the snapshot plus every row still in the log. For each policy, with the log at that
 * policy's row threshold for this snapshot (server/rooms/manager.ts compactionThresholds):
 *   rows / compaction        how many updates one compaction folds
 *   merge ms                 mergeHere(snapshot + those rows): the merge worker's CPU per compaction
 *   rewritten / update       snapshot bytes written per update folded (the write amplification)
 *   merge µs / update        merge CPU per update folded
 *   worst cold load ms       new Room(snapshot + one row fewer than the threshold), the longest
 *                            log a load can meet under this policy
 * The reference is the fixed policy Crux had before (500 rows or 1 MiB), run in the same
 * invocation; ratios are "scaled / fixed". Updates are claim moves made on two replicas, as
 * clients send them (each transaction's own update).
 *
 * Environment: BENCH_REPS (default 5), BENCH_DOC (default bench/out/debate-10k.bin; built if missing).
 */
import * as Y from 'yjs';
import { claimsMap, updateClaim } from '../lib/model/doc';
import { mergeHere } from '../server/persistence/docStore';
import { GroupCommitWriter } from '../server/persistence/writer';
import { Room } from '../server/rooms/room';
import { DEFAULT_COMPACTION, compactionThresholds, type CompactionPolicy } from '../server/rooms/manager';
import { bigDebate, instantStore, time } from './lib/bigDebate';

const REPS = Number(process.env.BENCH_REPS ?? 5);
const FIXED: CompactionPolicy = { maxUpdates: 500, maxBytes: 1024 * 1024 };
const snapshot = await bigDebate();

const most = Math.max(...[FIXED, DEFAULT_COMPACTION].map((p) => compactionThresholds(p, snapshot.byteLength).updates));
const replicas = [new Y.Doc(), new Y.Doc()];
for (const r of replicas) Y.applyUpdate(r, snapshot);
const ids = [...claimsMap(replicas[0]!).keys()];
const rows: Uint8Array[] = [];
for (let i = 0; rows.length < most; i++) {
  const r = replicas[i % replicas.length]!;
  const grab = (u: Uint8Array) => rows.push(u);
  r.on('update', grab);
  updateClaim(r, ids[(i * 7919) % ids.length]!, { x: i % 1000, y: i % 777 });
  r.off('update', grab);
}
for (const r of replicas) r.destroy();

const writer = new GroupCommitWriter(instantStore);

function measure(policy: CompactionPolicy) {
  const limit = compactionThresholds(policy, snapshot.byteLength);
  const log = rows.slice(0, limit.updates);
  let merged = 0;
  const merge = time(() => {
    merged = mergeHere([snapshot, ...log]).byteLength;
  }, REPS);
  const load = time(() => new Room('bench', [snapshot, ...log.slice(0, -1)], writer).destroy(), REPS);
  return { rows: limit.updates, merge, rewritten: merged / limit.updates, mergePerUpdate: (merge * 1000) / limit.updates, load };
}

const fixed = measure(FIXED);
const scaled = measure(DEFAULT_COMPACTION);
const logBytes = rows.reduce((n, u) => n + u.byteLength, 0) / rows.length;
console.log(
  `Node ${process.version}; snapshot ${(snapshot.byteLength / 1e6).toFixed(2)} MB, updates ${logBytes.toFixed(0)} bytes on average; median of ${REPS}`,
);
console.log('| policy | rows / compaction | merge ms | rewritten / update | merge µs / update | worst cold load ms |');
console.log('|---|---:|---:|---:|---:|---:|');
const line = (name: string, m: ReturnType<typeof measure>) =>
  console.log(
    `| ${name} | ${m.rows} | ${m.merge.toFixed(0)} | ${(m.rewritten / 1024).toFixed(1)} KiB | ${m.mergePerUpdate.toFixed(0)} | ${m.load.toFixed(0)} |`,
  );
line('fixed (500 rows or 1 MiB)', fixed);
line('scaled (DEFAULT_COMPACTION)', scaled);
const r = (a: number, b: number) => (a / b).toFixed(2);
console.log(
  `| ratio scaled / fixed | ${r(scaled.rows, fixed.rows)} | ${r(scaled.merge, fixed.merge)} | ${r(scaled.rewritten, fixed.rewritten)} | ${r(scaled.mergePerUpdate, fixed.mergePerUpdate)} | ${r(scaled.load, fixed.load)} |`,
);
