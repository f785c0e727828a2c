/*
 * Several instances, one debate (REDIS_URL set; issue #8 [scale] 6).
 *
 * Every instance stays "durable before relay": an update from one of its own clients is
 * validated, committed to the shared Postgres log, applied to the room and relayed to its local
 * peers, and only then published on Redis channel `<prefix>doc:<debateId>`. The other instances
 * holding that room apply it to their in-memory document — relaying it to their peers — without
 * storing it again (it is already a DocUpdate row). Awareness goes over `<prefix>aw:<debateId>`
 * and is never stored. An instance subscribes to a debate's channels while the room is loaded,
 * i.e. while it has clients for it.
 *
 * Redis pub/sub is at most once, so Postgres stays the truth and a repair reconciles with it:
 * read the log rows after the last id this instance has read (their data only for ids it has
 * not already applied), plus the snapshot when a compaction committed since (the rows it folded
 * are gone from the log), and apply them; re-applying known Yjs content is a no-op. A repair
 * runs when a subscription takes effect (a commit may have been published before it), after
 * the subscriber reconnects (messages published meanwhile are lost), when a sender's sequence
 * number skips (each sending stream numbers its messages 1, 2, 3…), and every
 * `repairIntervalMs` (a sender that crashed between its commit and its publish leaves no gap to
 * notice). "After the last id read" is exact because appends take a per-debate advisory lock
 * in this mode (SqlDocStore `orderedAppends`): a debate's ids commit in increasing order, so no
 * row below one already read can appear later. Compaction takes a per-debate try-lock and
 * deletes exactly the rows it folded, so appends from other instances are never lost.
 */
import { randomUUID } from 'node:crypto';
import { createClient } from '@redis/client';
import * as Y from 'yjs';
import * as awarenessProtocol from 'y-protocols/awareness';
import { REMOTE_ORIGIN, type Room } from '../rooms/room';
import type { RoomObserver } from '../rooms/manager';
import type { LoadedDoc, SinceRead } from '../persistence/docStore';
import { decodeMessage, encodeMessage, type RelayMessage } from './wire';

/** Where repairs read from: SqlDocStore.readSince. */
export interface RepairSource {
  readSince(debateId: string, afterId: string | null, have: string[], snapshotFolded: number): Promise<SinceRead>;
}

export interface RelayOptions {
  url: string;
  /** Prefix of every channel name; lets several deployments (or test runs) share one Redis. */
  prefix?: string;
  instanceId?: string;
  store: RepairSource;
  /** Period of the background repair of each loaded room. */
  repairIntervalMs?: number;
  log?: (msg: string) => void;
  /** Fault injection (tests): return true to drop an incoming message as though Redis lost it. */
  dropIncoming?: (msg: RelayMessage, debateId: string) => boolean;
}

export const DEFAULT_REPAIR_INTERVAL_MS = 10_000;
/** Publishes queued while Redis is unreachable; past this they fail, and receivers repair. */
const MAX_QUEUED_COMMANDS = 10_000;
/** Sending streams remembered per room; forgetting one costs at most one extra repair. */
const MAX_STREAMS = 64;

interface Tracked {
  room: Room;
  docChannel: string;
  awChannel: string;
  /** Our own sending stream for this room. */
  epoch: string;
  seq: number;
  /** Every log row up to this id is in the room's document. */
  lastId: bigint;
  /** Row ids above lastId already applied (our commits, relayed messages): repairs skip their data. */
  have: Set<string>;
  snapshotFolded: number;
  /** Last sequence number seen per sending stream (`from/epoch`). */
  streams: Map<string, number>;
  repairing?: Promise<void>;
  again: boolean;
  timer: NodeJS.Timeout;
  subscribed: Promise<void>;
  listener: (message: Buffer, channel: Buffer) => void;
  offAwareness: () => void;
  detached: boolean;
}

const makeClient = (url: string) =>
  createClient({
    url,
    commandsQueueMaxLength: MAX_QUEUED_COMMANDS,
    socket: { connectTimeout: 5000, reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 2000) },
  });
type Client = ReturnType<typeof makeClient>;

type AwarenessChange = { added: number[]; updated: number[]; removed: number[] };

const toBuffer = (u: Uint8Array) => Buffer.from(u.buffer, u.byteOffset, u.byteLength);

export class RedisRelay implements RoomObserver {
  readonly instanceId: string;
  readonly stats = { published: 0, received: 0, gaps: 0, repairs: 0, repairedUpdates: 0, publishFailures: 0, reconnects: 0 };
  private readonly tracked = new Map<Room, Tracked>();
  private readonly prefix: string;
  private readonly log: (msg: string) => void;
  private lastError = 0;
  private closed = false;

  private constructor(
    private readonly opts: RelayOptions,
    private readonly pub: Client,
    private readonly sub: Client,
  ) {
    this.instanceId = opts.instanceId ?? randomUUID();
    this.prefix = opts.prefix ?? 'crux:';
    this.log = opts.log ?? ((m) => console.log(m));
  }

  /** Connects (publisher and subscriber connections); rejects when Redis is unreachable at start. */
  static async start(opts: RelayOptions): Promise<RedisRelay> {
    const pub = makeClient(opts.url);
    const sub = makeClient(opts.url);
    const relay = new RedisRelay(opts, pub, sub);
    pub.on('error', (e: Error) => relay.warn('publisher', e));
    sub.on('error', (e: Error) => relay.warn('subscriber', e));
    // Fail fast at startup rather than retrying forever behind a server that looks healthy.
    const first = (c: Client) =>
      new Promise<void>((resolve, reject) => {
        c.once('error', reject);
        c.connect().then(
          () => {
            c.off('error', reject);
            resolve();
          },
          (e: unknown) => reject(e instanceof Error ? e : new Error(String(e))),
        );
      });
    try {
      await Promise.all([first(pub), first(sub)]);
    } catch (e) {
      pub.destroy();
      sub.destroy();
      throw new Error(`cannot reach Redis at ${opts.url}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
    // Node-redis resubscribes before 'ready'; whatever was published while we were away is lost.
    sub.on('ready', () => {
      if (relay.closed) return;
      relay.stats.reconnects++;
      relay.log('[scale] Redis subscriber reconnected: repairing loaded rooms');
      for (const t of relay.tracked.values()) void relay.repair(t);
    });
    return relay;
  }

  get roomCount(): number {
    return this.tracked.size;
  }

  attach(room: Room, loaded: LoadedDoc): void {
    if (this.closed) return;
    const docChannel = `${this.prefix}doc:${room.id}`;
    const awChannel = `${this.prefix}aw:${room.id}`;
    const t: Tracked = {
      room,
      docChannel,
      awChannel,
      epoch: randomUUID(),
      seq: 0,
      lastId: loaded.lastId ? BigInt(loaded.lastId) : 0n,
      have: new Set(),
      snapshotFolded: loaded.snapshotFolded ?? 0,
      streams: new Map(),
      again: false,
      detached: false,
      timer: setInterval(() => void this.repair(t), this.opts.repairIntervalMs ?? DEFAULT_REPAIR_INTERVAL_MS),
      subscribed: Promise.resolve(),
      listener: (message, channel) => this.receive(t, message, channel.toString()),
      offAwareness: () => undefined,
    };
    t.timer.unref();
    const onAwareness = ({ added, updated, removed }: AwarenessChange, origin: unknown) => {
      // Remote states are the sender's to publish; timeouts happen on every instance by itself.
      if (origin === REMOTE_ORIGIN || origin === 'timeout' || origin === 'local') return;
      const changed = added.concat(updated, removed);
      if (changed.length === 0) return;
      const update = awarenessProtocol.encodeAwarenessUpdate(room.awareness, changed);
      const owners = changed.map((c): [number, string] => [c, room.awarenessOwnerKey(c) ?? '']);
      this.publish(awChannel, { kind: 'aw', from: this.instanceId, owners, update });
    };
    room.awareness.on('update', onAwareness);
    t.offAwareness = () => room.awareness.off('update', onAwareness);
    this.tracked.set(room, t);
    t.subscribed = this.sub.subscribe([docChannel, awChannel], t.listener, true).then(
      () => this.repair(t),
      (e: unknown) => this.warn(`subscribe ${room.id}`, e),
    );
  }

  detach(room: Room): void {
    const t = this.tracked.get(room);
    if (!t) return;
    this.tracked.delete(room);
    t.detached = true;
    clearInterval(t.timer);
    t.offAwareness();
    void t.subscribed.then(() =>
      this.sub.unsubscribe([t.docChannel, t.awChannel], t.listener, true).catch((e: unknown) => this.warn(`unsubscribe ${room.id}`, e)),
    );
  }

  /** Hook for Room.commit (RoomHooks.onDurableUpdate): the update is stored; tell the others. */
  committed(room: Room, update: Uint8Array, rowId?: string): void {
    const t = this.tracked.get(room);
    if (!t) return;
    if (rowId && BigInt(rowId) > t.lastId) t.have.add(rowId);
    t.seq++;
    this.publish(t.docChannel, { kind: 'doc', from: this.instanceId, epoch: t.epoch, seq: t.seq, rowId: rowId ?? '', update });
  }

  /** Reconciles a room with the store now (tests, diagnostics); also what every trigger runs. */
  repairNow(room: Room): Promise<void> {
    const t = this.tracked.get(room);
    return t ? this.repair(t) : Promise.resolve();
  }

  /** Resolves once the room's subscription is in effect (tests). */
  ready(room: Room): Promise<void> {
    return this.tracked.get(room)?.subscribed ?? Promise.resolve();
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const room of [...this.tracked.keys()]) this.detach(room);
    await Promise.allSettled([this.pub.close(), this.sub.close()]);
  }

  private publish(channel: string, msg: RelayMessage): void {
    if (this.closed) return;
    this.stats.published++;
    this.pub.publish(channel, toBuffer(encodeMessage(msg))).catch((e: unknown) => {
      // Receivers see the hole in the sequence (or the next periodic repair finds the row).
      this.stats.publishFailures++;
      this.warn('publish', e);
    });
  }

  private receive(t: Tracked, bytes: Buffer, channel: string): void {
    if (t.detached) return;
    const msg = decodeMessage(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    if (!msg || msg.from === this.instanceId) return;
    if (this.opts.dropIncoming?.(msg, t.room.id)) return;
    this.stats.received++;
    if (msg.kind === 'aw') {
      if (channel !== t.awChannel) return;
      try {
        // Entries for client ids a local socket of another account owns are dropped here.
        const update = t.room.acceptRemoteAwareness(msg.update, new Map(msg.owners));
        if (update) awarenessProtocol.applyAwarenessUpdate(t.room.awareness, update, REMOTE_ORIGIN);
      } catch (e) {
        this.warn('awareness from another instance', e);
      }
      return;
    }
    if (channel !== t.docChannel) return;
    const key = `${msg.from}/${msg.epoch}`;
    const expected = (t.streams.get(key) ?? 0) + 1;
    if (t.streams.size >= MAX_STREAMS && !t.streams.has(key)) t.streams.clear();
    t.streams.set(key, msg.seq);
    try {
      t.room.applyRemote([msg.update]);
    } catch (e) {
      this.warn('update from another instance', e);
      void this.repair(t);
      return;
    }
    if (msg.rowId && BigInt(msg.rowId) > t.lastId) t.have.add(msg.rowId);
    if (msg.seq !== expected) {
      this.stats.gaps++;
      void this.repair(t);
    }
  }

  /** One repair at a time per room; triggers during one run it once more afterwards. */
  private repair(t: Tracked): Promise<void> {
    if (t.repairing) {
      t.again = true;
      return t.repairing;
    }
    const run = async () => {
      do {
        t.again = false;
        if (t.detached || t.room.destroyed) return;
        const have = [...t.have];
        const read = await this.opts.store.readSince(t.room.id, t.lastId > 0n ? String(t.lastId) : null, have, t.snapshotFolded);
        if (t.detached || t.room.destroyed) return;
        const updates: Uint8Array[] = [];
        if (read.snapshot) {
          // Only what the snapshot has beyond our state (plus its delete set, cheap to re-apply).
          updates.push(Y.diffUpdate(read.snapshot.data, Y.encodeStateVector(t.room.doc)));
          t.snapshotFolded = read.snapshot.folded;
          t.room.noteSnapshot(read.snapshot.data.byteLength, read.snapshot.folded);
        }
        for (const r of read.rows) if (r.data) updates.push(r.data);
        t.room.applyRemote(updates);
        this.stats.repairs++;
        this.stats.repairedUpdates += updates.length;
        const last = read.rows[read.rows.length - 1];
        if (last) {
          t.lastId = BigInt(last.id);
          for (const id of t.have) if (BigInt(id) <= t.lastId) t.have.delete(id);
        }
      } while (t.again);
    };
    const p = run()
      .catch((e: unknown) => {
        // The next trigger (at the latest the periodic one) tries again from the same position.
        this.warn(`repair of ${t.room.id}`, e);
      })
      .finally(() => {
        if (t.repairing === p) t.repairing = undefined;
      });
    t.repairing = p;
    return p;
  }

  /** Connection errors repeat every retry; one line per 5 s is enough to see them. */
  private warn(what: string, e: unknown): void {
    const now = Date.now();
    if (now - this.lastError < 5000) return;
    this.lastError = now;
    console.error(`[scale] ${what}: ${e instanceof Error ? e.message : String(e)}`);
  }
}
