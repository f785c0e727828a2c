import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';
import * as syncProtocol from 'y-protocols/sync';
import { MessageType } from '../protocol';
import { REPAIRABLE, claimsMap, deleteRelations, ensureRoots, relationsMap, touchedBy, validateDoc, type DocViolation } from '../model/doc';
import type { Prng } from './prng';

/**
 * An in-memory network of Y.Doc replicas around a hub that behaves like the y-websocket server
 * (or, with `validate`, like Crux's room, refusing and repairing updates as it does), for
 * deterministic convergence tests. Nothing moves until the test calls `deliver`,
 * `deliverRandom` or `flush`, and every choice comes from the test's seeded PRNG, so a failing
 * seed replays exactly.
 *
 * Frames are the real wire format — `[varUint MessageType.Sync][y-protocols sync message]` —
 * encoded and read by y-protocols/sync itself, so the tests exercise the same sync code as
 * production rather than a shortcut through Y.applyUpdate.
 */

/** One client: its document, the origin of its local edits, and an undo manager scoped to them. */
export interface Replica {
  readonly index: number;
  readonly name: string;
  readonly doc: Y.Doc;
  /** Pass as the transaction origin of this replica's local edits; the only origin `undo` tracks. */
  readonly origin: { readonly replica: string };
  /** Tracks only `origin`, so undo reverts this user's edits and never a remote user's. */
  readonly undo: Y.UndoManager;
  readonly connected: boolean;
}

export type Direction = 'toServer' | 'toClient';

export interface NetworkOptions {
  /** Garbage-collect deleted content, as production docs do. Default true. */
  gc?: boolean;
  /** Called after every transaction on the server doc: where a test hooks server-side checks. */
  onServerTransaction?: (tr: Y.Transaction, server: Y.Doc) => void;
  /**
   * Send each update back to its sender too, as the stock y-websocket server does. Default false,
   * as Crux's room relays to every peer but the sender.
   */
  echoToSender?: boolean;
  /**
   * Accept updates the way Crux's room does (server/rooms/room.ts): validate each one against a
   * candidate copy of the server doc; on a violation outside REPAIRABLE refuse it (it never
   * reaches the server doc) and close the sender's connection; on repairable ones accept it, then
   * delete the offending relations in a hub-origin update that goes to every replica. Default
   * false: the hub applies and relays everything, as the stock y-websocket server does.
   */
  validate?: boolean;
}

/** An update the validating hub refused, closing its sender's connection. */
export interface Refusal {
  replica: string;
  violations: DocViolation[];
}

/** The origin of the validating hub's repair transactions on the server doc. */
export const HUB_REPAIR = { hub: 'repair' } as const;

interface Link {
  replica: MutableReplica;
  /** The origin the server uses when applying this connection's messages, like y-websocket's conn. */
  conn: { readonly conn: string };
  /** The origin the client uses when applying server messages, like WebsocketProvider's `this`. */
  provider: { readonly provider: string };
  toServer: Uint8Array[];
  toClient: Uint8Array[];
}

interface MutableReplica extends Replica {
  connected: boolean;
}

/** Guards against a protocol bug turning `flush` into an endless loop. */
const MAX_FLUSH_STEPS = 1_000_000;

export class Network {
  readonly server: Y.Doc;
  readonly replicas: readonly Replica[];
  /** Errors raised while applying updates; y-protocols would otherwise only log them. */
  readonly errors: Error[] = [];
  /** Updates refused by the validating hub (`validate`), in order. */
  readonly refusals: Refusal[] = [];
  /** Relations the validating hub deleted to repair accepted updates, in order. */
  readonly repaired: string[] = [];
  private readonly links: Link[] = [];
  private delivered = 0;
  private readonly gc: boolean;
  /** The server doc plus the update being checked: what the room calls `candidate`. */
  private candidate: Y.Doc | null = null;

  constructor(count: number, rng: Prng, options: NetworkOptions = {}) {
    const gc = options.gc ?? true;
    this.gc = gc;
    // Conflict resolution orders concurrent edits by clientID, and Yjs draws clientIDs from
    // crypto randomness; seeding them is what makes a seed replay the same merge.
    const ids = new Set<number>();
    const nextClientId = (): number => {
      let id = rng.uint32();
      while (ids.has(id)) id = rng.uint32();
      ids.add(id);
      return id;
    };
    this.server = new Y.Doc({ gc });
    this.server.clientID = nextClientId();
    // As server/rooms/room.ts does, so touchedBy sees typed roots from the first update on.
    ensureRoots(this.server);
    if (options.onServerTransaction) {
      const hook = options.onServerTransaction;
      this.server.on('afterTransaction', (tr: Y.Transaction) => hook(tr, this.server));
    }
    if (options.validate) this.candidate = this.newCandidate();
    const echo = options.echoToSender ?? false;
    this.server.on('update', (update: Uint8Array, origin: unknown) => {
      const frame = encodeSync((enc) => syncProtocol.writeUpdate(enc, update));
      for (const link of this.links) {
        if (link.replica.connected && (echo || link.conn !== origin)) link.toClient.push(frame);
      }
    });

    const replicas: MutableReplica[] = [];
    for (let index = 0; index < count; index++) {
      const name = `r${index}`;
      const doc = new Y.Doc({ gc });
      doc.clientID = nextClientId();
      ensureRoots(doc);
      const origin = { replica: name };
      const undo = new Y.UndoManager([claimsMap(doc), relationsMap(doc)], {
        trackedOrigins: new Set([origin]),
        // Each local operation is its own undo step; time-based merging would make the
        // undo stack depend on how fast the test runs.
        captureTimeout: 0,
      });
      const replica: MutableReplica = { index, name, doc, origin, undo, connected: false };
      const link: Link = {
        replica,
        conn: { conn: name },
        provider: { provider: name },
        toServer: [],
        toClient: [],
      };
      // WebsocketProvider forwards every update that did not come from the socket, and only
      // while connected: edits made offline reach the server through the reconnect handshake.
      doc.on('update', (update: Uint8Array, origin: unknown) => {
        if (origin === link.provider || !replica.connected) return;
        link.toServer.push(encodeSync((enc) => syncProtocol.writeUpdate(enc, update)));
      });
      replicas.push(replica);
      this.links.push(link);
    }
    this.replicas = replicas;
    for (let i = 0; i < count; i++) this.connect(i);
  }

  replica(i: number): Replica {
    const r = this.replicas[i];
    if (!r) throw new Error(`no replica ${i}`);
    return r;
  }

  /**
   * Opens the connection and queues the y-websocket handshake: the client sends sync step 1,
   * and the server, on accepting the connection, sends its own step 1. Each side answers the
   * other's step 1 with step 2, so both end up with everything the other had.
   */
  connect(i: number): void {
    const link = this.link(i);
    if (link.replica.connected) return;
    link.replica.connected = true;
    link.toServer.push(encodeSync((enc) => syncProtocol.writeSyncStep1(enc, link.replica.doc)));
    link.toClient.push(encodeSync((enc) => syncProtocol.writeSyncStep1(enc, this.server)));
  }

  /** Closes the connection; frames in flight in either direction are lost. */
  disconnect(i: number): void {
    const link = this.link(i);
    link.replica.connected = false;
    link.toServer.length = 0;
    link.toClient.length = 0;
  }

  /** Frames waiting in all queues. */
  pending(): number {
    let n = 0;
    for (const l of this.links) n += l.toServer.length + l.toClient.length;
    return n;
  }

  /** Frames delivered so far, for test diagnostics. */
  deliveredCount(): number {
    return this.delivered;
  }

  /** Delivers the oldest frame on one queue (each queue is FIFO, like a WebSocket). */
  deliver(i: number, direction: Direction): boolean {
    const link = this.link(i);
    const frame = link[direction].shift();
    if (frame === undefined) return false;
    this.delivered++;
    if (direction === 'toServer') {
      const reply = this.candidate ? this.receiveValidated(frame, link) : this.receive(frame, this.server, link.conn);
      if (reply && link.replica.connected) link.toClient.push(reply);
    } else {
      const reply = this.receive(frame, link.replica.doc, link.provider);
      // The client answers on the same socket; a reply to a closed socket would be dropped.
      if (reply && link.replica.connected) link.toServer.push(reply);
    }
    return true;
  }

  /** Delivers the head of a randomly chosen non-empty queue, so queues interleave at random. */
  deliverRandom(rng: Prng): boolean {
    const ready: [number, Direction][] = [];
    this.links.forEach((l, i) => {
      if (l.toServer.length > 0) ready.push([i, 'toServer']);
      if (l.toClient.length > 0) ready.push([i, 'toClient']);
    });
    if (ready.length === 0) return false;
    const [i, dir] = rng.pick(ready);
    return this.deliver(i, dir);
  }

  /** Delivers until every queue is empty, in random order across queues. */
  flush(rng: Prng): void {
    let steps = 0;
    while (this.deliverRandom(rng)) {
      if (++steps > MAX_FLUSH_STEPS) throw new Error('flush did not quiesce');
    }
  }

  /** Reconnects every replica and flushes: afterwards every replica should equal the server. */
  fullSync(rng: Prng): void {
    for (let i = 0; i < this.links.length; i++) this.connect(i);
    this.flush(rng);
  }

  destroy(): void {
    for (const r of this.replicas) {
      r.undo.destroy();
      r.doc.destroy();
    }
    this.server.destroy();
    this.candidate?.destroy();
  }

  /**
   * The room's path for a client frame: step 1 is answered from the server doc; an update is
   * checked on the candidate first and reaches the server doc only if accepted.
   */
  private receiveValidated(frame: Uint8Array, link: Link): Uint8Array | null {
    const decoder = decoding.createDecoder(frame);
    const type = decoding.readVarUint(decoder);
    if (type !== MessageType.Sync) throw new Error(`unexpected message type ${type}`);
    const step = decoding.readVarUint(decoder);
    const payload = decoding.readVarUint8Array(decoder);
    if (step === syncProtocol.messageYjsSyncStep1) return encodeSync((enc) => syncProtocol.writeSyncStep2(enc, this.server, payload));
    this.accept(link, payload);
    return null;
  }

  private accept(link: Link, update: Uint8Array): void {
    const candidate = this.candidate as Y.Doc;
    let violations: DocViolation[] = [];
    const check = (tr: Y.Transaction): void => {
      violations = validateDoc(candidate, touchedBy(tr));
    };
    candidate.on('afterTransaction', check);
    try {
      Y.applyUpdate(candidate, update);
    } finally {
      candidate.off('afterTransaction', check);
    }
    const fatal = violations.filter((v) => !REPAIRABLE.has(v.reason));
    if (fatal.length > 0) {
      this.refusals.push({ replica: link.replica.name, violations: fatal });
      this.candidate = this.newCandidate();
      candidate.destroy();
      this.disconnect(link.replica.index);
      return;
    }
    Y.applyUpdate(this.server, update, link.conn);
    if (violations.length === 0) return;
    const dead = [...new Set(violations.map((v) => v.id).filter((id): id is string => id !== undefined))];
    this.repaired.push(...dead);
    // deleteRelations, not a bare delete: an undercut of a repaired relation must go with it.
    const repair = captureUpdate(this.server, () => deleteRelations(this.server, dead, HUB_REPAIR));
    if (repair) Y.applyUpdate(candidate, repair);
  }

  private newCandidate(): Y.Doc {
    const doc = new Y.Doc({ gc: this.gc });
    ensureRoots(doc);
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(this.server));
    return doc;
  }

  private link(i: number): Link {
    const l = this.links[i];
    if (!l) throw new Error(`no replica ${i}`);
    return l;
  }

  /** Reads one frame the way y-websocket does on either end; returns the reply frame, if any. */
  private receive(frame: Uint8Array, doc: Y.Doc, origin: unknown): Uint8Array | null {
    const decoder = decoding.createDecoder(frame);
    const type = decoding.readVarUint(decoder);
    if (type !== MessageType.Sync) throw new Error(`unexpected message type ${type}`);
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, MessageType.Sync);
    syncProtocol.readSyncMessage(decoder, encoder, doc, origin, (e: Error) => this.errors.push(e));
    return encoding.length(encoder) > 1 ? encoding.toUint8Array(encoder) : null;
  }
}

/** The update `fn` produces on `doc`, if any. */
function captureUpdate(doc: Y.Doc, fn: () => void): Uint8Array | null {
  let update: Uint8Array | null = null;
  const capture = (u: Uint8Array): void => {
    update = update ? Y.mergeUpdates([update, u]) : u;
  };
  doc.on('update', capture);
  try {
    fn();
  } finally {
    doc.off('update', capture);
  }
  return update;
}

function encodeSync(write: (enc: encoding.Encoder) => void): Uint8Array {
  const enc = encoding.createEncoder();
  encoding.writeVarUint(enc, MessageType.Sync);
  write(enc);
  return encoding.toUint8Array(enc);
}
