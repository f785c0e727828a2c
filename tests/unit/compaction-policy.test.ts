import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addClaim, claimsMap, ensureRoots, updateClaim } from '@/lib/model/doc';
import { GroupCommitWriter } from '@/server/persistence/writer';
import { DEFAULT_COMPACTION, RoomManager, compactionThresholds, type CompactionPolicy } from '@/server/rooms/manager';
import { Room } from '@/server/rooms/room';
import { DEBATE, FakePeer, MemoryDocStore } from './roomFakes';

/*
 * When RoomManager compacts (server/rooms/manager.ts): the log's thresholds grow with the snapshot,
 * which a compaction rewrites whole. The manager runs the real Room and GroupCommitWriter over the
 * in-memory store of ./roomFakes; a peer's edits reach the store as appends and count towards the
 * threshold exactly as on a server.
 */

const MiB = 1024 * 1024;

describe('compactionThresholds', () => {
  it('keeps a fixed policy fixed whatever the snapshot', () => {
    const fixed: CompactionPolicy = { maxUpdates: 500, maxBytes: MiB };
    expect(compactionThresholds(fixed, 0)).toEqual({ updates: 500, bytes: MiB });
    expect(compactionThresholds(fixed, 50 * MiB)).toEqual({ updates: 500, bytes: MiB });
  });

  it('scales the default with the snapshot above its floors, and never below them', () => {
    expect(compactionThresholds(DEFAULT_COMPACTION, 0)).toEqual({ updates: 500, bytes: MiB });
    expect(compactionThresholds(DEFAULT_COMPACTION, 100 * 1024)).toEqual({ updates: 500, bytes: MiB });
    expect(compactionThresholds(DEFAULT_COMPACTION, 2 * MiB)).toEqual({ updates: 2048, bytes: MiB });
    // The 10,000-claim debate of bench/make-doc.ts: one compaction per ~5,500 updates.
    expect(compactionThresholds(DEFAULT_COMPACTION, 5_597_455)).toEqual({ updates: 5466, bytes: 2_798_727 });
    expect(compactionThresholds(DEFAULT_COMPACTION, 8 * MiB)).toEqual({ updates: 8192, bytes: 4 * MiB });
  });
});

describe('RoomManager compaction', () => {
  /** The stored debate every case opens: a snapshot of 60 claims (c0…c59), and an empty log. */
  const SNAPSHOT = (() => {
    const d = new Y.Doc();
    ensureRoots(d);
    for (let i = 0; i < 60; i++) addClaim(d, { id: `c${i}`, text: `claim number ${i} with some words`, x: i, y: i, author: 'seed' });
    return Y.encodeStateAsUpdate(d);
  })();

  /** A scaled policy whose row threshold for SNAPSHOT is `rows` (never below its floor of 5); bytes stay out of reach. */
  const rowsForSnapshot = (rows: number): CompactionPolicy => ({
    maxUpdates: 5,
    maxBytes: MiB,
    scale: { snapshotBytesPerUpdate: SNAPSHOT.byteLength / rows, logShare: 1 },
  });

  async function open(policy: CompactionPolicy) {
    const store = new MemoryDocStore([], SNAPSHOT);
    const writer = new GroupCommitWriter(store);
    const rooms = new RoomManager(store, writer, policy);
    const peer = new FakePeer('writer');
    const room = await rooms.join(DEBATE, peer);
    const settle = async () => {
      await writer.drain();
      await new Promise<void>((resolve) => setImmediate(resolve));
      await rooms.settle();
    };
    const flush = async () => {
      peer.flushTo(room);
      await settle();
    };
    peer.hello();
    await flush();
    expect(claimsMap(peer.doc).size).toBeGreaterThan(0);
    let seq = 0;
    /** `n` claim moves (or, with `grow`, new claims with long texts), each its own append. */
    const moves = async (n: number, grow = false) => {
      for (let i = 0; i < n; i++) {
        seq++;
        if (grow) addClaim(peer.doc, { id: `new${seq}`, text: `a longer claim ${seq} `.repeat(12), x: seq, y: seq, author: 'writer' });
        else updateClaim(peer.doc, `c${seq % 7}`, { x: seq, y: -seq });
        await flush();
      }
    };
    return { store, room, moves, compactions: () => store.compactions.get(DEBATE) ?? 0 };
  }

  it('compacts a large snapshot only once the log has grown in proportion to it', async () => {
    // One row per 1/20 of the snapshot: the threshold is 20 rows, above the floor of 5.
    const policy = rowsForSnapshot(20);
    const { room, moves, compactions } = await open(policy);
    expect(room.snapshotBytes).toBe(SNAPSHOT.byteLength);
    await moves(19);
    expect(compactions()).toBe(0);
    expect(room.logCount).toBe(19);
    await moves(1);
    expect(compactions()).toBe(1);
    expect(room.logCount).toBe(0);
  });

  it('steers the next threshold by the snapshot the compaction wrote', async () => {
    const policy = rowsForSnapshot(20);
    const { store, room, moves, compactions } = await open(policy);
    // New claims make the compacted snapshot much larger than the loaded one.
    await moves(20, true);
    expect(compactions()).toBe(1);
    const written = store.rows()[0]!.byteLength;
    expect(room.snapshotBytes).toBe(written);
    const next = compactionThresholds(policy, written).updates;
    expect(next).toBeGreaterThan(30);
    await moves(next - 1);
    expect(compactions()).toBe(1);
    await moves(1);
    expect(compactions()).toBe(2);
  });

  it('compacts once the log holds the policy share of the snapshot in bytes', async () => {
    // The row threshold is out of reach; the byte threshold is half the snapshot.
    const policy: CompactionPolicy = { maxUpdates: 1_000_000, maxBytes: 100, scale: { snapshotBytesPerUpdate: 1, logShare: 0.5 } };
    const { store, room, moves, compactions } = await open(policy);
    const limit = Math.floor(SNAPSHOT.byteLength / 2);
    let before = 0;
    let rows = 0;
    for (; rows < 200 && compactions() === 0; rows++) {
      before = room.logBytes;
      await moves(1, true);
    }
    expect(compactions()).toBe(1);
    expect(rows).toBeGreaterThan(3);
    expect(before).toBeLessThan(limit);
    expect(store.foldedBytes).toEqual([expect.any(Number)]);
    expect(store.foldedBytes[0]).toBeGreaterThanOrEqual(limit);
  });

  it('a skipped compaction (another instance compacted first) keeps the snapshot size it knew', async () => {
    const policy = rowsForSnapshot(20);
    const { store, room, moves, compactions } = await open(policy);
    store.skipNextCompaction();
    await moves(20);
    expect(compactions()).toBe(0);
    expect(room.snapshotBytes).toBe(SNAPSHOT.byteLength);
    // The rows counted are taken as folded by the other compaction: the count starts again.
    expect(room.logCount).toBe(0);
    await moves(19);
    expect(compactions()).toBe(0);
    await moves(1);
    expect(compactions()).toBe(1);
  });

  it('a snapshot older than the one known (a lower fold count) does not replace it', () => {
    const room = new Room('older', [], new GroupCommitWriter(new MemoryDocStore()));
    room.noteSnapshot(5000, 40);
    room.noteSnapshot(3000, 30);
    expect([room.snapshotBytes, room.snapshotFolded]).toEqual([5000, 40]);
    room.noteSnapshot(7000, 40);
    room.noteSnapshot(6000, 55);
    expect([room.snapshotBytes, room.snapshotFolded]).toEqual([6000, 55]);
    room.destroy();
  });

  it('keeps the floor for a small debate, and a fixed policy ignores the snapshot', async () => {
    // Scaled to one row for the whole snapshot: the floor of 5 rows governs.
    const small = await open(rowsForSnapshot(1));
    await small.moves(4);
    expect(small.compactions()).toBe(0);
    await small.moves(1);
    expect(small.compactions()).toBe(1);

    const fixed = await open({ maxUpdates: 5, maxBytes: MiB });
    await fixed.moves(5);
    expect(fixed.compactions()).toBe(1);
  });

  it('compacts at load when the stored log is already past the threshold', async () => {
    const policy = rowsForSnapshot(20);
    // 20 stored rows: a replica's claim moves since the snapshot.
    const replica = new Y.Doc();
    Y.applyUpdate(replica, SNAPSHOT);
    const log: Uint8Array[] = [];
    replica.on('update', (u: Uint8Array) => log.push(u));
    for (let i = 0; i < 20; i++) updateClaim(replica, 'c1', { x: i, y: i });
    const under = new MemoryDocStore(log.slice(0, 19), SNAPSHOT);
    const over = new MemoryDocStore(log, SNAPSHOT);
    for (const [store, expected] of [
      [under, 0],
      [over, 1],
    ] as const) {
      const rooms = new RoomManager(store, new GroupCommitWriter(store), policy);
      await rooms.join(DEBATE, new FakePeer('reader'));
      await rooms.settle();
      expect(store.compactions.get(DEBATE) ?? 0).toBe(expected);
    }
  });
});
