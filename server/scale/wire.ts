import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';

/**
 * What instances say to each other over Redis. Binary (lib0 encoding), version-tagged, so an
 * instance running other code drops what it cannot read instead of misapplying it.
 */
export const WIRE_VERSION = 2; // 2: awareness messages name who owns each client id

/** A committed Yjs update: already stored by its sender, never stored again by a receiver. */
export interface DocMessage {
  kind: 'doc';
  /** The sending instance; it skips its own echo. */
  from: string;
  /**
   * `epoch` names one sending stream (one room's life on one instance) and `seq` counts its
   * messages from 1 without holes, so a receiver notices a lost message at the next one.
   */
  epoch: string;
  seq: number;
  /** The DocUpdate row id when the store reported it (lets a repair skip rows already applied). */
  rowId: string;
  update: Uint8Array;
}

/** An awareness update (presence: cursors, selections); never stored. */
export interface AwarenessMessage {
  kind: 'aw';
  from: string;
  /**
   * For each client id in the update, the identity key of the account whose socket owns it on
   * the sending instance ('' when none does), so that no instance lets another account's socket
   * speak for it (server/rooms/room.ts acceptRemoteAwareness).
   */
  owners: [number, string][];
  update: Uint8Array;
}

export type RelayMessage = DocMessage | AwarenessMessage;

const KIND = { doc: 0, aw: 1 } as const;

export function encodeMessage(m: RelayMessage): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, WIRE_VERSION);
  encoding.writeVarUint(e, KIND[m.kind]);
  encoding.writeVarString(e, m.from);
  if (m.kind === 'doc') {
    encoding.writeVarString(e, m.epoch);
    encoding.writeVarUint(e, m.seq);
    encoding.writeVarString(e, m.rowId);
  } else {
    encoding.writeVarUint(e, m.owners.length);
    for (const [clientId, key] of m.owners) {
      encoding.writeVarUint(e, clientId);
      encoding.writeVarString(e, key);
    }
  }
  encoding.writeVarUint8Array(e, m.update);
  return encoding.toUint8Array(e);
}

/** Null for anything malformed or from another wire version. */
export function decodeMessage(bytes: Uint8Array): RelayMessage | null {
  try {
    const d = decoding.createDecoder(bytes);
    if (decoding.readVarUint(d) !== WIRE_VERSION) return null;
    const kind = decoding.readVarUint(d);
    const from = decoding.readVarString(d);
    if (kind === KIND.doc) {
      const epoch = decoding.readVarString(d);
      const seq = decoding.readVarUint(d);
      const rowId = decoding.readVarString(d);
      if (rowId !== '' && !/^\d{1,20}$/.test(rowId)) return null;
      return { kind: 'doc', from, epoch, seq, rowId, update: decoding.readVarUint8Array(d) };
    }
    if (kind === KIND.aw) {
      const n = decoding.readVarUint(d);
      if (n > 10_000) return null;
      const owners: [number, string][] = [];
      for (let i = 0; i < n; i++) owners.push([decoding.readVarUint(d), decoding.readVarString(d)]);
      return { kind: 'aw', from, owners, update: decoding.readVarUint8Array(d) };
    }
    return null;
  } catch {
    return null;
  }
}
