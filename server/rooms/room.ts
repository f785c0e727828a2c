import * as Y from 'yjs';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';
import { MessageType, SyncStep, CloseCode, CloseReason, type StatusMessage } from '../../lib/protocol';
import { commentViolations } from '../../lib/model/comment';
import {
  REPAIRABLE,
  claimsMap,
  deleteClaims,
  deleteRelations,
  ensureRoots,
  touchedBy,
  validateDoc,
  type DocViolation,
  type Touched,
} from '../../lib/model/doc';
import { MAX_CLAIMS, MAX_CLAIM_TEXT } from '../../lib/model/claim';
import type { PresenceUser } from '../../lib/presence';
import type { GroupCommitWriter } from '../persistence/writer';
import { sanitizeAwarenessUpdate, type ClientOwner } from './awareness';

/** A connected client, independent of the transport (a ws socket in production, a pipe in tests). */
export interface Peer {
  send(frame: Uint8Array): void;
  close(code: CloseCode, reason: string): void;
  /** Crux clients opt into Status frames; stock y-websocket clients would log them as unknown. */
  readonly wantsStatus: boolean;
  /** May this peer change the document? Readers still send awareness. */
  canWrite(): boolean;
  readonly label: string;
  /**
   * Who the socket was admitted as: `key` tells one account (or all visitors) from another, and
   * `user` is the name and colour its awareness states are stamped with.
   */
  readonly identity?: { key: string; user: PresenceUser };
}

/** A room's validation copy is dropped after this long without an incoming change. */
export const CANDIDATE_IDLE_MS = 60_000;

/** Transaction origin of a group commit's updates from several senders: relayed to every peer. */
const DURABLE_BATCH = Symbol('durable-batch');

/** Transaction origin of changes relayed from another instance (server/scale): no local peer sent them. */
export const REMOTE_ORIGIN = Symbol('remote-instance');

export class ProtocolError extends Error {
  constructor(
    readonly code: CloseCode,
    message: string,
  ) {
    super(message);
  }
}

const frame = (build: (e: encoding.Encoder) => void): Uint8Array => {
  const e = encoding.createEncoder();
  build(e);
  return encoding.toUint8Array(e);
};

export const statusFrame = (msg: StatusMessage): Uint8Array =>
  frame((e) => {
    encoding.writeVarUint(e, MessageType.Status);
    encoding.writeVarString(e, JSON.stringify(msg));
  });

export interface RoomHooks {
  /** Called after an update is durable and applied, e.g. for the SQL projection. */
  onDurableUpdate?: (room: Room, update: Uint8Array, rowId?: string) => void;
  /**
   * Called once per settled group commit, after it is applied, with the claims it touched (text,
   * fields, added or removed); `undefined` when that is unknown (the room was unloaded meanwhile).
   * Not called when the commit touched no claim.
   */
  onClaimsTouched?: (room: Room, claims: ReadonlySet<string> | undefined) => void;
  /** Called after updates another instance stored were applied (server/scale). */
  onRemoteUpdate?: (room: Room) => void;
  /** Called after appends so the manager can schedule compaction. */
  onAppended?: (room: Room, bytes: number) => void;
}

/**
 * One debate's live document. `doc` holds only durable state: an incoming update is validated
 * against `candidate` (doc + every update still being committed), written through the group
 * commit writer, and only then applied to `doc` — whose update handler relays it. So a client
 * never receives, and a new joiner never syncs, anything the store could still lose.
 */
export class Room {
  readonly doc = new Y.Doc();
  /**
   * Built on the first incoming change and dropped after CANDIDATE_IDLE_MS without one: a room
   * people only read holds one document, not two (a 10,000-claim room is ~90 MB each), and its
   * cold load skips encoding and re-applying the whole document.
   */
  private candidateDoc: Y.Doc | undefined;
  private lastCheckAt = 0;
  private candidateTimer: NodeJS.Timeout | undefined;
  /** Updates accepted into `candidate` but not yet durable, in commit order. */
  private inFlight: Uint8Array[] = [];
  readonly awareness: awarenessProtocol.Awareness;
  /** Stored updates of the group commit being settled, applied together by applyDurable. */
  private durable: { origin: unknown; repaired: boolean; row: Uint8Array; rowId: string | undefined }[] = [];
  /** Awareness client ids owned by sockets on other instances, with their identity keys (server/scale). */
  private readonly remoteOwners = new Map<number, string>();
  readonly peers = new Map<Peer, Set<number>>();
  /** Sync step 2 for an empty state vector, valid until the document changes. */
  private fullStateFrame: Uint8Array | undefined;
  logCount = 0;
  logBytes = 0;
  /** Size of the newest stored snapshot known here, and its `updatesFolded`: scales the compaction thresholds. */
  snapshotBytes = 0;
  snapshotFolded = 0;
  compacting = false;
  destroyed = false;

  constructor(
    readonly id: string,
    initial: Uint8Array[],
    private readonly writer: GroupCommitWriter,
    private readonly hooks: RoomHooks = {},
  ) {
    ensureRoots(this.doc);
    // Loaded state is applied before any handler is attached: nothing here is relayed or re-stored.
    Y.transact(this.doc, () => {
      for (const u of initial) Y.applyUpdate(this.doc, u);
    });
    this.awareness = new awarenessProtocol.Awareness(this.doc);
    this.awareness.setLocalState(null);
    this.doc.on('update', (update: Uint8Array, origin: unknown) => {
      this.fullStateFrame = undefined;
      this.relay(update, origin);
    });
    this.awareness.on('update', ({ added, updated, removed }: AwarenessChange, origin: unknown) => {
      const changed = added.concat(updated, removed);
      for (const c of removed) this.remoteOwners.delete(c);
      const ids = origin instanceof Object ? this.peers.get(origin as Peer) : undefined;
      if (ids) {
        for (const c of added) ids.add(c);
        for (const c of removed) ids.delete(c);
      }
      const msg = frame((e) => {
        encoding.writeVarUint(e, MessageType.Awareness);
        encoding.writeVarUint8Array(e, awarenessProtocol.encodeAwarenessUpdate(this.awareness, changed));
      });
      for (const p of this.peers.keys()) p.send(msg);
    });
  }

  get size(): number {
    return this.peers.size;
  }

  get inFlightCount(): number {
    return this.inFlight.length;
  }

  join(peer: Peer): void {
    this.peers.set(peer, new Set());
    // Step 1 asks the client for what we lack; the client answers with step 2 (its updates).
    peer.send(
      frame((e) => {
        encoding.writeVarUint(e, MessageType.Sync);
        syncProtocol.writeSyncStep1(e, this.doc);
      }),
    );
    const states = this.awareness.getStates();
    if (states.size > 0)
      peer.send(
        frame((e) => {
          encoding.writeVarUint(e, MessageType.Awareness);
          encoding.writeVarUint8Array(e, awarenessProtocol.encodeAwarenessUpdate(this.awareness, [...states.keys()]));
        }),
      );
    if (peer.wantsStatus) peer.send(statusFrame({ kind: 'saving', state: this.writer.saveState, pending: this.inFlight.length }));
  }

  /**
   * May `peer` speak for awareness client `clientId`? A client id another socket of the same
   * account holds moves to this one (a reconnect after a silent drop keeps its Yjs client id, and
   * the dead socket lingers until its ping times out).
   */
  private claimClient(peer: Peer, clientId: number): ClientOwner {
    const mine = this.peers.get(peer);
    if (mine?.has(clientId)) return 'self';
    for (const [other, ids] of this.peers) {
      if (other === peer || !ids.has(clientId)) continue;
      if (!peer.identity || other.identity?.key !== peer.identity.key) return 'other';
      ids.delete(clientId);
      mine?.add(clientId);
      return 'self';
    }
    const remote = this.remoteOwners.get(clientId);
    if (remote !== undefined) {
      if (remote !== '' && remote !== peer.identity?.key) return 'other';
      // The same account (e.g. a client that failed over from the other instance) takes it here.
      this.remoteOwners.delete(clientId);
      mine?.add(clientId);
      return 'self';
    }
    return 'none';
  }

  /** The identity key of the account whose socket here owns awareness client `clientId`. */
  awarenessOwnerKey(clientId: number): string | undefined {
    return this.localOwner(clientId)?.identity?.key;
  }

  /**
   * An awareness update relayed from another instance (server/scale), with the identity key that
   * owns each of its client ids there. Entries for ids a socket of another account owns here are
   * dropped (a peer on the other instance must not move a cursor that belongs to someone here);
   * the rest are remembered as owned there, so that no socket of another account here may speak
   * for them either (claimClient). First owner wins: an id is only visible to others, and so only
   * copyable, once its owner has published it. Returns the update to apply, or null.
   */
  acceptRemoteAwareness(update: Uint8Array, owners: ReadonlyMap<number, string>): Uint8Array | null {
    const { update: kept } = sanitizeAwarenessUpdate(
      update,
      (clientId) => {
        const key = owners.get(clientId) ?? '';
        const local = this.localOwner(clientId);
        if (local && key !== '' && local.identity?.key !== key) return 'other';
        if (key !== '' && !local) this.remoteOwners.set(clientId, key);
        return 'none';
      },
      undefined,
    );
    return kept;
  }

  private localOwner(clientId: number): Peer | undefined {
    for (const [peer, ids] of this.peers) if (ids.has(clientId)) return peer;
    return undefined;
  }

  leave(peer: Peer): void {
    const ids = this.peers.get(peer);
    this.peers.delete(peer);
    if (ids && ids.size > 0) awarenessProtocol.removeAwarenessStates(this.awareness, [...ids], null);
  }

  broadcastStatus(msg: StatusMessage): void {
    const f = statusFrame(msg);
    for (const p of this.peers.keys()) if (p.wantsStatus) p.send(f);
  }

  /**
   * Handles one inbound frame. Throws ProtocolError for frames that must close the connection;
   * the caller closes with its code.
   */
  receive(peer: Peer, data: Uint8Array): void {
    const d = decoding.createDecoder(data);
    let type: number;
    try {
      type = decoding.readVarUint(d);
    } catch {
      throw new ProtocolError(CloseCode.MalformedMessage, 'empty or truncated frame');
    }
    switch (type) {
      case MessageType.Sync:
        return this.receiveSync(peer, d);
      case MessageType.Awareness: {
        try {
          const { update } = sanitizeAwarenessUpdate(decoding.readVarUint8Array(d), (c) => this.claimClient(peer, c), peer.identity?.user);
          if (update) awarenessProtocol.applyAwarenessUpdate(this.awareness, update, peer);
        } catch {
          throw new ProtocolError(CloseCode.MalformedMessage, 'malformed awareness update');
        }
        return;
      }
      case MessageType.QueryAwareness:
        peer.send(
          frame((e) => {
            encoding.writeVarUint(e, MessageType.Awareness);
            encoding.writeVarUint8Array(e, awarenessProtocol.encodeAwarenessUpdate(this.awareness, [...this.awareness.getStates().keys()]));
          }),
        );
        return;
      case MessageType.Auth:
        // Clients never authenticate in-band; authentication happened at the upgrade.
        return;
      default:
        throw new ProtocolError(CloseCode.MalformedMessage, `unknown message type ${type}`);
    }
  }

  private receiveSync(peer: Peer, d: decoding.Decoder): void {
    let step: number;
    let payload: Uint8Array;
    try {
      step = decoding.readVarUint(d);
      payload = decoding.readVarUint8Array(d);
    } catch {
      throw new ProtocolError(CloseCode.MalformedMessage, 'truncated sync message');
    }
    if (step === SyncStep.Step1) {
      // A fresh client (empty state vector, encoded as a single 0) needs the whole document; a
      // join storm would otherwise encode it once per client. The frame is cached until the
      // document next changes.
      const fresh = payload.byteLength === 1 && payload[0] === 0;
      if (fresh && this.fullStateFrame) return peer.send(this.fullStateFrame);
      let update: Uint8Array;
      try {
        update = Y.encodeStateAsUpdate(this.doc, payload);
      } catch {
        throw new ProtocolError(CloseCode.MalformedMessage, 'malformed state vector');
      }
      const f = frame((e) => {
        encoding.writeVarUint(e, MessageType.Sync);
        encoding.writeVarUint(e, SyncStep.Step2);
        encoding.writeVarUint8Array(e, update);
      });
      if (fresh) this.fullStateFrame = f;
      peer.send(f);
      return;
    }
    if (step !== SyncStep.Step2 && step !== SyncStep.Update)
      throw new ProtocolError(CloseCode.MalformedMessage, `unknown sync step ${step}`);
    // Every client answers our step 1 with a step 2; when it has nothing new it sends the canonical
    // empty update (two zero bytes) and there is nothing to store. Only a reader's payload is fully
    // decoded, so writers' updates are not parsed twice on the hot path.
    if (payload.byteLength === 2 && payload[0] === 0 && payload[1] === 0) return;
    if (!peer.canWrite()) {
      if (isEmptyUpdate(payload)) return;
      if (peer.wantsStatus)
        peer.send(statusFrame({ kind: 'rejected', reason: 'read-only', detail: 'you may read this debate but not change it' }));
      throw new ProtocolError(CloseCode.Forbidden, 'read-only');
    }
    this.accept(peer, payload);
  }

  /**
   * Who recently changed what, to tell a race from a bad client: text grown past the limit by two
   * people editing one claim, or a debate filled past the limit by two people adding at once.
   */
  private readonly recentText = new Map<string, { by: unknown; at: number }>();
  private recentAdds: { by: unknown; at: number; n: number }[] = [];

  private noteAccepted(by: unknown, touched: Required<Touched> | undefined): void {
    if (!touched) return;
    const at = Date.now();
    for (const id of touched.claims) this.recentText.set(id, { by, at });
    if (touched.newClaims.size > 0) this.recentAdds.push({ by, at, n: touched.newClaims.size });
    if (this.recentText.size > 1000 || this.recentAdds.length > 1000) this.forgetOld(at);
  }

  private forgetOld(now: number): void {
    for (const [id, e] of this.recentText) if (now - e.at > RACE_WINDOW_MS) this.recentText.delete(id);
    this.recentAdds = this.recentAdds.filter((e) => now - e.at <= RACE_WINDOW_MS);
  }

  /**
   * Limit violations that concurrency explains, which the room repairs instead of refusing: a
   * client checks the limits against its own view, two within-limit edits can still cross a
   * limit together, and refusing the second would lock its author out (it resends on every
   * reconnect). The update must stay within the limit by itself, and someone else must have
   * changed the same claim (text) or added claims (count) within RACE_WINDOW_MS; anything else
   * is refused as before.
   */
  private raceRepairs(peer: Peer, violations: Violation[], check: CheckResult): { texts: string[]; dropClaims: string[] } | null {
    const now = Date.now();
    const texts: string[] = [];
    let dropClaims: string[] = [];
    for (const v of violations) {
      if (v.reason === 'claim-text-too-long' && v.id) {
        const other = this.recentText.get(v.id);
        const raced = other !== undefined && other.by !== peer && now - other.at <= RACE_WINDOW_MS;
        if (!raced || (check.inserted.get(v.id) ?? 0) > MAX_CLAIM_TEXT) return null;
        texts.push(v.id);
      } else if (v.reason === 'too-many-claims') {
        const fresh = [...(check.touched?.newClaims ?? [])];
        const overflow = claimsMap(this.candidate).size - MAX_CLAIMS;
        const byOthers = this.recentAdds.filter((e) => e.by !== peer && now - e.at <= RACE_WINDOW_MS).reduce((n, e) => n + e.n, 0);
        if (fresh.length > MAX_CLAIMS || overflow > fresh.length || overflow > byOthers) return null;
        // The newest of this update's claims go (ids sort by creation only by accident; any choice converges).
        dropClaims = fresh.sort().slice(-overflow);
      } else if (!REPAIRABLE.has(v.reason as DocViolation['reason'])) return null;
    }
    return { texts, dropClaims };
  }

  /** Validates, then commits, then applies and relays. */
  private accept(peer: Peer, update: Uint8Array): void {
    const checked = this.check(update);
    const { violations } = checked;
    const races = violations.some((v) => v.reason === 'claim-text-too-long' || v.reason === 'too-many-claims')
      ? this.raceRepairs(peer, violations, checked)
      : undefined;
    const fatal = races ? [] : violations.filter((v) => !REPAIRABLE.has(v.reason as DocViolation['reason']));
    if (fatal.length > 0) {
      const v = fatal[0]!;
      this.rebuildCandidate();
      if (peer.wantsStatus) peer.send(statusFrame({ kind: 'rejected', reason: v.reason, detail: v.detail }));
      throw new ProtocolError(v.reason === 'malformed' ? CloseCode.MalformedMessage : CloseCode.InvalidUpdate, `${v.reason}: ${v.detail}`);
    }
    this.noteAccepted(peer, checked.touched);
    if (violations.length === 0) return this.commit(update, peer);
    // A relation raced with the deletion of its endpoint. Refusing would lock its author out
    // (the client resends on every reconnect), so the server deletes the relation itself,
    // with its undercuts (deleteRelations cascades; a bare delete would leave them dangling).
    // Limit races (raceRepairs) are cut back to the limit in the same repair.
    const dead = new Set(
      violations
        .filter((v) => REPAIRABLE.has(v.reason as DocViolation['reason']))
        .map((v) => (v as DocViolation).id)
        .filter((id): id is string => id !== undefined),
    );
    const repairs: Uint8Array[] = [];
    const capture = (u: Uint8Array) => repairs.push(u);
    this.candidate.on('update', capture);
    this.candidate.transact(() => {
      if (dead.size > 0) deleteRelations(this.candidate, dead, 'server-repair');
      for (const id of races?.texts ?? []) {
        const text = claimsMap(this.candidate).get(id)?.get('text');
        if (text instanceof Y.Text && text.length > MAX_CLAIM_TEXT) text.delete(MAX_CLAIM_TEXT, text.length - MAX_CLAIM_TEXT);
      }
      if (races && races.dropClaims.length > 0) deleteClaims(this.candidate, races.dropClaims, 'server-repair');
    }, 'server-repair');
    this.candidate.off('update', capture);
    this.commit(update, peer, repairs.length === 0 ? undefined : repairs.length === 1 ? repairs[0]! : Y.mergeUpdates(repairs));
    if (peer.wantsStatus && races && (races.texts.length > 0 || races.dropClaims.length > 0))
      peer.send(
        statusFrame({
          kind: 'repaired',
          detail:
            races.dropClaims.length > 0
              ? `the debate reached ${MAX_CLAIMS} claims while you were adding: ${races.dropClaims.length} of yours were removed`
              : `two people lengthened a claim at once: its text was cut to ${MAX_CLAIM_TEXT} characters`,
        }),
      );
  }

  /**
   * Queues a validated update for durability; applies it to `doc` (which relays it) once stored.
   * With a `repair`, the update and its repair are stored as one row: stored apart, a crash
   * between the two commits would keep the dangling relation and lose its repair, and nothing
   * would ever repair it again. A repaired row is relayed to its sender too, who needs the repair.
   */
  private commit(update: Uint8Array, origin: unknown, repair?: Uint8Array): void {
    const row = repair ? Y.mergeUpdates([update, repair]) : update;
    this.inFlight.push(row);
    this.writer.write(this.id, row).then(
      (rowId) => {
        this.inFlight.shift();
        this.logCount++;
        this.logBytes += row.byteLength;
        // The writer settles a whole group commit at once, so every continuation of this batch
        // runs before the microtask queued by its first one: they are applied together.
        if (this.durable.push({ origin, repaired: repair !== undefined, row, rowId }) === 1) queueMicrotask(() => this.applyDurable());
      },
      () => {
        // Only at shutdown: the update was never relayed; its sender keeps it and resends on reconnect.
        this.inFlight.shift();
      },
    );
  }

  /**
   * Applies the rows of a settled group commit to `doc` in one Yjs transaction, which relays them
   * as one merged frame per peer (a slow commit that gathered k updates costs one frame, not k).
   * With one sender and no repair the sender is the origin, and is not sent its own change back;
   * otherwise everyone gets the frame (a client ignores the echo of its own change, as with
   * @y/websocket-server, which always echoes; a repaired sender needs the repair).
   */
  private applyDurable(): void {
    const batch = this.durable;
    this.durable = [];
    let claims: Set<string> | undefined;
    const onTr = (tr: Y.Transaction) => {
      for (const id of touchedBy(tr).claims) (claims ??= new Set()).add(id);
    };
    if (!this.destroyed) {
      this.doc.on('afterTransaction', onTr);
      try {
        const first = batch[0]!.origin;
        const oneSender = batch.every((b) => b.origin === first && !b.repaired);
        Y.transact(
          this.doc,
          () => {
            for (const b of batch) Y.applyUpdate(this.doc, b.row);
          },
          oneSender ? first : DURABLE_BATCH,
        );
      } finally {
        this.doc.off('afterTransaction', onTr);
      }
    }
    for (const b of batch) {
      this.hooks.onDurableUpdate?.(this, b.row, b.rowId);
      this.hooks.onAppended?.(this, b.row.byteLength);
    }
    if (this.destroyed) this.hooks.onClaimsTouched?.(this, undefined);
    else if (claims) this.hooks.onClaimsTouched?.(this, claims);
  }

  /**
   * Records a stored snapshot's size, unless a newer one (a higher `updatesFolded`: every
   * compaction raises it) is already known: a repair that read before this instance's own
   * compaction committed must not bring back the older size.
   */
  noteSnapshot(bytes: number, folded: number): void {
    if (folded < this.snapshotFolded) return;
    this.snapshotBytes = bytes;
    this.snapshotFolded = folded;
  }

  /**
   * Applies updates that another instance already made durable (server/scale): to `doc`, which
   * relays them to every local peer as one frame, and to `candidate`, against which local peers'
   * next updates are validated. Nothing is stored again. Already-known content is a no-op.
   */
  applyRemote(updates: Uint8Array[]): void {
    if (this.destroyed || updates.length === 0) return;
    // Edits on other instances are "someone else's" for the limit-race repairs too. Without a
    // candidate (nobody here is writing), `doc`'s transaction says what they touched; the next
    // candidate is built from `doc`, which has them.
    const onTr = (tr: Y.Transaction) => this.noteAccepted(REMOTE_ORIGIN, touchedBy(tr));
    const candidate = this.candidateDoc;
    if (!candidate) this.doc.on('afterTransaction', onTr);
    try {
      Y.transact(
        this.doc,
        () => {
          for (const u of updates) Y.applyUpdate(this.doc, u);
        },
        REMOTE_ORIGIN,
      );
    } finally {
      if (!candidate) this.doc.off('afterTransaction', onTr);
    }
    if (candidate) {
      candidate.on('afterTransaction', onTr);
      try {
        Y.transact(candidate, () => {
          for (const u of updates) Y.applyUpdate(candidate, u);
        });
      } finally {
        candidate.off('afterTransaction', onTr);
      }
    }
    this.hooks.onRemoteUpdate?.(this);
  }

  /** The document incoming changes are validated against: `doc` plus everything in flight. */
  private get candidate(): Y.Doc {
    this.lastCheckAt = Date.now();
    if (this.candidateDoc) return this.candidateDoc;
    const c = new Y.Doc();
    ensureRoots(c);
    Y.applyUpdate(c, Y.encodeStateAsUpdate(this.doc));
    for (const u of this.inFlight) Y.applyUpdate(c, u);
    this.candidateDoc = c;
    this.armCandidateDrop(CANDIDATE_IDLE_MS);
    return c;
  }

  private armCandidateDrop(ms: number): void {
    this.candidateTimer = setTimeout(() => {
      this.candidateTimer = undefined;
      if (this.destroyed || !this.candidateDoc) return;
      const idle = Date.now() - this.lastCheckAt;
      // Updates still in flight live only in the candidate (and the writer's queue): keep it.
      if (idle < CANDIDATE_IDLE_MS || this.inFlight.length > 0) return this.armCandidateDrop(Math.max(CANDIDATE_IDLE_MS - idle, 1000));
      this.candidateDoc.destroy();
      this.candidateDoc = undefined;
    }, ms);
    this.candidateTimer.unref();
  }

  /** Whether a validation copy is held now (tests, memory census). */
  get hasCandidate(): boolean {
    return this.candidateDoc !== undefined;
  }

  private check(update: Uint8Array): CheckResult {
    let violations: Violation[] = [];
    let touched: Required<Touched> | undefined;
    const inserted = new Map<string, number>();
    const onTr = (tr: Y.Transaction) => {
      touched = touchedBy(tr);
      violations = validateDoc(this.candidate, touched);
      for (const v of violations)
        if (v.reason === 'claim-text-too-long' && v.id) {
          const text = claimsMap(this.candidate).get(v.id)?.get('text');
          if (text instanceof Y.Text) inserted.set(v.id, insertedLength(tr, text));
        }
      // Comments live in their own root; the comments of a debate are few, so check them all.
      if (touched.roots.has('comments'))
        for (const c of commentViolations(this.candidate)) violations.push({ reason: 'comment-invalid', id: c.id, detail: c.detail });
    };
    this.candidate.on('afterTransaction', onTr);
    try {
      Y.applyUpdate(this.candidate, update);
    } catch (e) {
      violations = [{ reason: 'malformed', detail: e instanceof Error ? e.message : 'undecodable update' }];
    } finally {
      this.candidate.off('afterTransaction', onTr);
    }
    return { violations, touched, inserted };
  }

  /**
   * After a refused update the candidate holds content that must not exist: drop it, and the
   * next change builds it afresh (a client that keeps re-sending an invalid update on reconnect
   * no longer costs a whole-document rebuild per attempt).
   */
  private rebuildCandidate(): void {
    this.candidateDoc?.destroy();
    this.candidateDoc = undefined;
  }

  private relay(update: Uint8Array, origin: unknown): void {
    const msg = frame((e) => {
      encoding.writeVarUint(e, MessageType.Sync);
      syncProtocol.writeUpdate(e, update);
    });
    for (const p of this.peers.keys()) if (p !== origin) p.send(msg);
  }

  destroy(): void {
    this.destroyed = true;
    this.awareness.destroy();
    this.doc.destroy();
    this.candidateDoc?.destroy();
    this.candidateDoc = undefined;
    clearTimeout(this.candidateTimer);
  }
}

type Violation = DocViolation | { reason: 'malformed' | 'comment-invalid'; id?: string; detail: string };

interface CheckResult {
  violations: Violation[];
  touched: Required<Touched> | undefined;
  /** Characters the update inserted into each claim text that came out too long. */
  inserted: Map<string, number>;
}

/** Two edits this close together may have been made without seeing each other. */
export const RACE_WINDOW_MS = 10_000;

/** Characters a transaction inserted into `text` (and did not delete again): its own contribution. */
function insertedLength(tr: Y.Transaction, text: Y.Text): number {
  let n = 0;
  tr.afterState.forEach((after, client) => {
    const before = tr.beforeState.get(client) ?? 0;
    if (after <= before) return;
    const structs = tr.doc.store.clients.get(client);
    if (!structs) return;
    for (let i = Y.findIndexSS(structs, before); i < structs.length; i++) {
      const s = structs[i]!;
      if (s.id.clock >= after) break;
      if (s instanceof Y.Item && s.parent === text && !s.deleted && s.countable)
        n += Math.min(s.id.clock + s.length, after) - Math.max(s.id.clock, before);
    }
  });
  return n;
}

interface AwarenessChange {
  added: number[];
  updated: number[];
  removed: number[];
}

/** An update that carries no structs and no deletions (what an up-to-date client sends as step 2). */
export function isEmptyUpdate(update: Uint8Array): boolean {
  try {
    const { structs, ds } = Y.decodeUpdate(update);
    return structs.length === 0 && ds.clients.size === 0;
  } catch {
    return false;
  }
}

export { CloseReason };
