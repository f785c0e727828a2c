/*
 * Fakes for driving the real Room (server/rooms/room.ts) without sockets or a database: the
 * DocStore contract over arrays, and peers that are real Y.Doc clients speaking the sync protocol.
 * Nothing here uses a socket or a timer, so a test controls exactly which update reaches the room
 * when (STYLE practices 3, 7).
 */
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';
import * as syncProtocol from 'y-protocols/sync';
import { ensureRoots } from '@/lib/model/doc';
import { type CloseCode, MessageType, type StatusMessage } from '@/lib/protocol';
import { ProtocolError, type Room, type Peer } from '@/server/rooms/room';
import type { CompactResult, DocStore, LoadedDoc, PendingUpdate } from '@/server/persistence/docStore';

export const DEBATE = 'debate1';

/** The DocStore contract over arrays. `hold` keeps appends pending until the test releases them. */
export class MemoryDocStore implements DocStore {
  private snapshot = new Map<string, Uint8Array>();
  private log = new Map<string, Uint8Array[]>();
  private gate: Promise<void> | null = null;

  /** Compactions done, per debate. */
  readonly compactions = new Map<string, number>();
  /** Bytes of the log rows each compaction folded, in order. */
  readonly foldedBytes: number[] = [];
  /** Per debate, the rows folded into its snapshot so far (DocSnapshot.updatesFolded). */
  private folded = new Map<string, number>();
  private skipNext = false;

  constructor(initial: Uint8Array[] = [], snapshot?: Uint8Array) {
    if (initial.length > 0) this.log.set(DEBATE, [...initial]);
    if (snapshot) this.snapshot.set(DEBATE, snapshot);
  }

  async load(debateId: string): Promise<LoadedDoc> {
    const log = this.log.get(debateId) ?? [];
    const snap = this.snapshot.get(debateId);
    return {
      updates: snap ? [snap, ...log] : [...log],
      logCount: log.length,
      logBytes: log.reduce((n, u) => n + u.byteLength, 0),
      snapshotBytes: snap?.byteLength ?? 0,
      snapshotFolded: this.folded.get(debateId) ?? 0,
    };
  }

  async append(batch: PendingUpdate[]): Promise<void> {
    if (this.gate) await this.gate;
    // All or nothing, as the contract asks of a batch.
    for (const u of batch) {
      const log = this.log.get(u.debateId) ?? [];
      log.push(u.data);
      this.log.set(u.debateId, log);
    }
  }

  /** The next compaction finds that another instance compacted first, and does nothing. */
  skipNextCompaction(): void {
    this.skipNext = true;
  }

  async compact(debateId: string): Promise<CompactResult> {
    if (this.skipNext) {
      this.skipNext = false;
      return { folded: 0, skipped: true };
    }
    const { updates, logCount, logBytes } = await this.load(debateId);
    this.foldedBytes.push(logBytes);
    const merged = Y.mergeUpdates(updates);
    this.snapshot.set(debateId, merged);
    this.log.set(debateId, []);
    this.compactions.set(debateId, (this.compactions.get(debateId) ?? 0) + 1);
    const folded = (this.folded.get(debateId) ?? 0) + logCount;
    this.folded.set(debateId, folded);
    return { folded: logCount, snapshot: { bytes: merged.byteLength, folded } };
  }

  /** Every stored row, snapshot first: what a reload would apply. */
  rows(debateId = DEBATE): Uint8Array[] {
    const snap = this.snapshot.get(debateId);
    return [...(snap ? [snap] : []), ...(this.log.get(debateId) ?? [])];
  }

  /** Makes appends wait until the returned release is called. */
  hold(): () => void {
    let release = (): void => undefined;
    this.gate = new Promise<void>((resolve) => {
      release = () => {
        this.gate = null;
        resolve();
      };
    });
    return release;
  }
}

/**
 * A client: a Y.Doc that applies what the room sends and queues what it would send back, as
 * WebsocketProvider does. It records every frame and the close code the room's caller used.
 */
export class FakePeer implements Peer {
  readonly doc = new Y.Doc();
  /** Frames the room sent, in order. */
  readonly received: Uint8Array[] = [];
  readonly statuses: StatusMessage[] = [];
  closed: { code: CloseCode; reason: string } | null = null;
  /** Frames waiting to go to the room. */
  private readonly outbox: Uint8Array[] = [];

  constructor(
    readonly label: string,
    private readonly writer = true,
    readonly wantsStatus = true,
  ) {
    ensureRoots(this.doc);
    this.doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin !== this) this.outbox.push(syncFrame((e) => syncProtocol.writeUpdate(e, update)));
    });
  }

  canWrite(): boolean {
    return this.writer;
  }

  send(frame: Uint8Array): void {
    if (this.closed) return;
    this.received.push(frame);
    const d = decoding.createDecoder(frame);
    const type = decoding.readVarUint(d);
    if (type === MessageType.Status) this.statuses.push(JSON.parse(decoding.readVarString(d)) as StatusMessage);
    if (type !== MessageType.Sync) return;
    const reply = encoding.createEncoder();
    encoding.writeVarUint(reply, MessageType.Sync);
    syncProtocol.readSyncMessage(d, reply, this.doc, this);
    if (encoding.length(reply) > 1) this.outbox.push(encoding.toUint8Array(reply));
  }

  close(code: CloseCode, reason: string): void {
    this.closed ??= { code, reason };
  }

  /** Queues the client's sync step 1, which opens every connection. */
  hello(): void {
    this.outbox.push(syncFrame((e) => syncProtocol.writeSyncStep1(e, this.doc)));
  }

  /** Sync frames carrying document changes (step 2 or update) the room sent this peer. */
  docFrames(): number {
    return this.received.filter((f) => {
      const d = decoding.createDecoder(f);
      return decoding.readVarUint(d) === MessageType.Sync && decoding.readVarUint(d) !== syncProtocol.messageYjsSyncStep1;
    }).length;
  }

  /** Hands the queued frames to the room as server/transport/sync.ts does, closing on a ProtocolError. */
  flushTo(room: Room): void {
    for (const frame of this.outbox.splice(0)) {
      if (this.closed) return;
      try {
        room.receive(this, frame);
      } catch (e) {
        if (!(e instanceof ProtocolError)) throw e;
        this.close(e.code, e.message);
        room.leave(this);
      }
    }
  }
}

export function syncFrame(write: (e: encoding.Encoder) => void): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, MessageType.Sync);
  write(e);
  return encoding.toUint8Array(e);
}
