import { Room, type Peer, type RoomHooks } from './room';
import type { StatusMessage } from '../../lib/protocol';
import type { DocStore, LoadedDoc } from '../persistence/docStore';
import type { GroupCommitWriter } from '../persistence/writer';

/**
 * When a room's update log is folded into its snapshot. A compaction rewrites the whole snapshot
 * and decodes it in the merge, however few rows it folds (a 10,000-claim debate: 5.6 MB, and
 * ~0.29 s of merge for 500 rows against ~0.35 s for 5,466), while a longer log costs a cold load
 * little (5,465 rows: ~310 ms against ~250 ms with 499): `node --import tsx
 * bench/compaction.bench.ts`, results in bench/RESULTS.md. So the thresholds grow with the
 * snapshot, bounding the snapshot bytes rewritten per update instead of the log's length. Each
 * instance counts only the rows it appended, so with N instances writing one debate the log can
 * reach about N times the threshold before one of them compacts.
 */
export interface CompactionPolicy {
  /** Compact once the log holds this many rows, or one row per `scale.snapshotBytesPerUpdate` bytes of snapshot if that is more. */
  maxUpdates: number;
  /** ... or this many bytes, or `scale.logShare` of the snapshot's size if that is more. */
  maxBytes: number;
  /** Absent: the thresholds stay fixed. */
  scale?: { snapshotBytesPerUpdate: number; logShare: number };
}

export const DEFAULT_COMPACTION: CompactionPolicy = {
  maxUpdates: 500,
  maxBytes: 1024 * 1024,
  scale: { snapshotBytesPerUpdate: 1024, logShare: 0.5 },
};

/** The log size at which a room whose snapshot has `snapshotBytes` is compacted. */
export function compactionThresholds(policy: CompactionPolicy, snapshotBytes: number): { updates: number; bytes: number } {
  const s = policy.scale;
  if (!s) return { updates: policy.maxUpdates, bytes: policy.maxBytes };
  return {
    updates: Math.max(policy.maxUpdates, Math.floor(snapshotBytes / s.snapshotBytesPerUpdate)),
    bytes: Math.max(policy.maxBytes, Math.floor(snapshotBytes * s.logShare)),
  };
}

/** Follows every room from load to unload: server/scale's cross-instance relay. */
export interface RoomObserver {
  attach(room: Room, loaded: LoadedDoc): void;
  detach(room: Room): void;
}

export class RoomLoadError extends Error {
  override name = 'RoomLoadError';
}

/**
 * Owns the live rooms: loads a room on its first peer (once, however many join at the same
 * moment), unloads it when the last peer has left and its writes are durable, and compacts a
 * room's update log into its snapshot once the log passes the policy's threshold.
 */
export class RoomManager {
  private readonly rooms = new Map<string, Promise<Room>>();
  private readonly compactions = new Set<Promise<unknown>>();
  readonly stats = { loads: 0, unloads: 0, compactions: 0, loadFailures: 0 };

  constructor(
    private readonly store: DocStore,
    private readonly writer: GroupCommitWriter,
    private readonly policy: CompactionPolicy = DEFAULT_COMPACTION,
    private readonly hooks: RoomHooks = {},
    private readonly observer?: RoomObserver,
  ) {}

  get loadedCount(): number {
    return this.rooms.size;
  }

  /** The room if it is in memory (or loading); never starts a load. */
  peek(id: string): Promise<Room> | undefined {
    return this.rooms.get(id);
  }

  /**
   * Adds a peer to a room, loading it first if needed. A failed load rejects with RoomLoadError
   * and leaves nothing behind: no room, and nothing written to the store.
   */
  async join(id: string, peer: Peer): Promise<Room> {
    let p = this.rooms.get(id);
    if (!p) {
      p = this.load(id);
      this.rooms.set(id, p);
      p.catch(() => {
        if (this.rooms.get(id) === p) this.rooms.delete(id);
      });
    }
    const room = await p;
    room.join(peer);
    return room;
  }

  private async load(id: string): Promise<Room> {
    let loaded;
    try {
      loaded = await this.store.load(id);
    } catch (e) {
      this.stats.loadFailures++;
      throw new RoomLoadError(`could not load debate ${id}: ${e instanceof Error ? e.message : String(e)}`);
    }
    let room: Room;
    try {
      room = new Room(id, loaded.updates, this.writer, {
        ...this.hooks,
        onAppended: (r, bytes) => {
          this.hooks.onAppended?.(r, bytes);
          this.maybeCompact(r);
        },
      });
    } catch (e) {
      this.stats.loadFailures++;
      throw new RoomLoadError(`stored document of ${id} is unreadable: ${e instanceof Error ? e.message : String(e)}`);
    }
    room.logCount = loaded.logCount;
    room.logBytes = loaded.logBytes;
    room.noteSnapshot(loaded.snapshotBytes ?? 0, loaded.snapshotFolded ?? 0);
    this.observer?.attach(room, loaded);
    this.stats.loads++;
    this.maybeCompact(room);
    return room;
  }

  /** Removes a peer; the last one out unloads the room once its pending writes are durable. */
  async leave(room: Room, peer: Peer): Promise<void> {
    room.leave(peer);
    if (room.size > 0) return;
    await this.writer.drain();
    // Someone may have joined while we waited.
    if (room.size > 0 || room.destroyed || this.rooms.get(room.id) === undefined) return;
    const current = await this.rooms.get(room.id);
    if (current !== room || room.size > 0) return;
    this.rooms.delete(room.id);
    this.observer?.detach(room);
    room.destroy();
    this.stats.unloads++;
  }

  private maybeCompact(room: Room): void {
    if (room.compacting) return;
    const limit = compactionThresholds(this.policy, room.snapshotBytes);
    if (room.logCount < limit.updates && room.logBytes < limit.bytes) return;
    room.compacting = true;
    const beforeCount = room.logCount;
    const beforeBytes = room.logBytes;
    const job = this.store
      .compact(room.id)
      .then((res) => {
        this.stats.compactions++;
        // Rows appended while compacting may or may not have been folded; the counters only
        // steer when to compact next, so an estimate is enough. What was counted before is
        // gone from the log even when another instance folded it (it held the lock, or
        // compacted first): keeping it counted would retry a compaction on every append.
        room.logCount = Math.max(0, room.logCount - Math.max(res.folded, beforeCount));
        room.logBytes = Math.max(0, room.logBytes - beforeBytes);
        // A skipped compaction wrote nothing and reports no snapshot; the one another instance
        // wrote reaches the room through the cross-instance repair (server/scale/relay.ts).
        if (res.snapshot) room.noteSnapshot(res.snapshot.bytes, res.snapshot.folded);
      })
      .catch((e: unknown) => {
        // The log is intact; compaction is retried on the next append past the threshold.
        console.error(`[rooms] compaction of ${room.id} failed:`, e instanceof Error ? e.message : e);
      })
      .finally(() => {
        room.compacting = false;
        this.compactions.delete(job);
      });
    this.compactions.add(job);
  }

  /** Tells every peer of every loaded room (save state changes). */
  broadcastStatus(msg: StatusMessage): void {
    for (const p of this.rooms.values())
      p.then(
        (r) => r.broadcastStatus(msg),
        () => undefined,
      );
  }

  /** Waits for running compactions (shutdown and tests). */
  async settle(): Promise<void> {
    while (this.compactions.size > 0) await Promise.allSettled([...this.compactions]);
  }

  /** Closes every peer with the given code and unloads all rooms (shutdown). */
  async closeAll(code: Parameters<Peer['close']>[0], reason: string): Promise<void> {
    const rooms = await Promise.allSettled([...this.rooms.values()]);
    for (const r of rooms) if (r.status === 'fulfilled') for (const p of [...r.value.peers.keys()]) p.close(code, reason);
    await this.writer.drain();
    await this.settle();
    for (const r of rooms)
      if (r.status === 'fulfilled') {
        this.observer?.detach(r.value);
        r.value.destroy();
      }
    this.rooms.clear();
  }
}
