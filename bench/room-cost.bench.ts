/*
 * Where a Crux room spends its CPU, without sockets or a database: `npx tsx bench/room-cost.bench.ts`.
 *
 * Drives server/rooms/room.ts directly (a store that commits instantly, peers that drop frames)
 * on a small debate and on the 10,000-claim debate of bench/make-doc.ts, and times the steps the
 * load runs of bench/run.mjs can only see from outside:
 *   room load          new Room(snapshot): what a cold join pays before anyone is answered
 *   join (step 1)      answering one fresh client's empty state vector: encode the whole document
 *   accept one edit    a claim move: candidate apply + validateDoc, up to the group commit
 *   accept + durable   the same edit through commit, apply to the room's doc and relay to 100 peers
 *   validateDoc        the scoped check alone, for an edit touching one claim
 *   projection scan    readProjectedClaims, run 200 ms after every burst of edits
 *   compaction merge   what SqlDocStore.compact does in memory: snapshot + 500 updates → snapshot,
 *                      as now (one transaction per update), in one transaction, and Y.mergeUpdates
 * Each reported figure is the median of several repetitions (after warm-up), in ms.
 *
 * Environment: BENCH_REPS (default 15), BENCH_DOC (default bench/out/debate-10k.bin; built if missing).
 */
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import { Room, type Peer } from '../server/rooms/room';
import { GroupCommitWriter } from '../server/persistence/writer';
import { readProjectedClaims } from '../server/projection/claims';
import { addClaim, claimsMap, ensureRoots, updateClaim, validateDoc } from '../lib/model/doc';
import { MessageType, SyncStep } from '../lib/protocol';
import { bigDebate, instantStore, time as timeReps, timeAsync as timeAsyncReps } from './lib/bigDebate';

const REPS = Number(process.env.BENCH_REPS ?? 15);

const peer = (label: string): Peer & { frames: number } => {
  const p = {
    label,
    frames: 0,
    wantsStatus: false,
    canWrite: () => true,
    send: () => {
      p.frames++;
    },
    close: () => undefined,
  };
  return p;
};

const syncFrame = (step: number, payload: Uint8Array): Uint8Array => {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, MessageType.Sync);
  encoding.writeVarUint(e, step);
  encoding.writeVarUint8Array(e, payload);
  return encoding.toUint8Array(e);
};

const time = (fn: () => void, reps = REPS): number => timeReps(fn, reps);
const timeAsync = (fn: () => Promise<void>, reps = REPS): Promise<number> => timeAsyncReps(fn, reps);

/** A small debate: what the fan-out runs use. */
function smallDoc(): Uint8Array {
  const d = new Y.Doc();
  for (let i = 0; i < 30; i++) addClaim(d, { id: `small${String(i).padStart(4, '0')}`, text: `claim ${i}`, x: i, y: i, author: 'bench' });
  return Y.encodeStateAsUpdate(d);
}

async function measure(name: string, snapshot: Uint8Array, readers: number): Promise<Record<string, string>> {
  const writer = new GroupCommitWriter(instantStore);
  const load = time(() => new Room('bench', [snapshot], writer).destroy(), Math.max(3, Math.floor(REPS / 3)));
  const room = new Room('bench', [snapshot], writer);
  for (let i = 0; i < readers; i++) room.join(peer(`r${i}`));
  const joiner = peer('joiner');
  const step1 = syncFrame(SyncStep.Step1, Y.encodeStateVector(new Y.Doc()));
  const join = time(() => room.receive(joiner, step1), Math.max(3, Math.floor(REPS / 3)));

  // The writer's replica, and a claim it moves: x = y = updatedAt = seq, as bench/load.ts does.
  const local = new Y.Doc();
  ensureRoots(local);
  Y.applyUpdate(local, snapshot);
  const claimId = [...claimsMap(local).keys()][0]!;
  const w = peer('writer');
  room.join(w);
  let seq = 1;
  const nextEdit = (): Uint8Array => {
    let u: Uint8Array | undefined;
    const grab = (x: Uint8Array) => (u = x);
    local.on('update', grab);
    updateClaim(local, claimId, { x: seq, y: seq }, undefined, seq);
    local.off('update', grab);
    seq++;
    return syncFrame(SyncStep.Update, u!);
  };
  // accept = the synchronous part of receive (candidate apply, validation, enqueue);
  // durable = the rest, up to the relay to every reader.
  const accept = time(() => room.receive(w, nextEdit()), REPS * 5);
  await writer.drain();
  const durable = await timeAsync(async () => {
    room.receive(w, nextEdit());
    await writer.drain();
  }, REPS * 5);
  // The scoped check alone, as accept runs it for a claim move (touched: that one claim).
  const check = time(
    () => validateDoc(room.doc, { claims: new Set([claimId]), relations: new Set(), roots: new Set(['claims']) }),
    REPS * 5,
  );
  const scan = time(() => readProjectedClaims(room.doc));

  // What compaction does after 500 appends: rebuild from snapshot + log, then encode.
  // The snapshot being folded holds everything before the log (as the store's does).
  const base = Y.encodeStateAsUpdate(local);
  const log: Uint8Array[] = [];
  const grab = (u: Uint8Array) => log.push(u);
  local.on('update', grab);
  for (let i = 0; i < 500; i++) updateClaim(local, claimId, { x: i, y: i }, undefined, i);
  local.off('update', grab);
  const compact = time(
    () => {
      const d = new Y.Doc();
      Y.applyUpdate(d, base);
      for (const u of log) Y.applyUpdate(d, u);
      Y.encodeStateAsUpdate(d);
      d.destroy();
    },
    Math.max(3, Math.floor(REPS / 3)),
  );
  // The same merge as one transaction, and without integrating at all: the fixes proposed for it.
  const compactOneTx = time(
    () => {
      const d = new Y.Doc();
      Y.transact(d, () => {
        Y.applyUpdate(d, base);
        for (const u of log) Y.applyUpdate(d, u);
      });
      Y.encodeStateAsUpdate(d);
      d.destroy();
    },
    Math.max(3, Math.floor(REPS / 3)),
  );
  const compactMerge = time(() => Y.mergeUpdates([base, ...log]), Math.max(3, Math.floor(REPS / 3)));
  room.destroy();
  const f = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 1 ? x.toFixed(1) : x.toFixed(3));
  return {
    debate: name,
    'room load': f(load),
    'join (step 1)': f(join),
    'accept one edit': f(accept),
    'validateDoc, 1 claim touched': f(check),
    'accept + durable apply + relay': f(durable),
    'projection scan': f(scan),
    'compaction merge (as now)': f(compact),
    'in one transaction': f(compactOneTx),
    'Y.mergeUpdates': f(compactMerge),
  };
}

const big = await bigDebate();
const rows = [await measure('30 claims', smallDoc(), 100), await measure('10,000 claims', big, 100)];
const keys = Object.keys(rows[0]!);
const header = keys;
console.log(`Node ${process.version}, median of ${REPS}+ repetitions, ms; relay to 100 peers that drop frames`);
console.log(`| ${header.join(' | ')} |`);
console.log(
  `|---|${keys
    .slice(1)
    .map(() => '---:')
    .join('|')}|`,
);
for (const r of rows) console.log(`| ${keys.map((k) => r[k]).join(' | ')} |`);
