import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';
import type { PresenceUser } from '../../lib/presence';

/** Whose awareness client id this is, from the room's point of view. */
export type ClientOwner = 'self' | 'other' | 'none';

/** A presence state's JSON is small (a cursor, a selection, a viewport); bigger ones are refused. */
export const MAX_AWARENESS_STATE_CHARS = 16_384;

export interface SanitizedAwareness {
  /** The update to apply, or null when nothing of it survived. */
  update: Uint8Array | null;
  /** Entries dropped because they spoke for another peer's client id or were not an object. */
  dropped: number;
}

/**
 * Rewrites an awareness update from one peer so that it can only speak for itself: entries for
 * client ids another peer of the room owns are dropped (no moving someone else's cursor), and
 * every non-null state's `user` is replaced by the identity the server admitted the socket with,
 * so a name and colour on the canvas always belong to the account behind them. Throws on a
 * malformed update (the caller closes the socket).
 */
export function sanitizeAwarenessUpdate(
  update: Uint8Array,
  ownerOf: (clientId: number) => ClientOwner,
  identity: PresenceUser | undefined,
): SanitizedAwareness {
  const d = decoding.createDecoder(update);
  const n = decoding.readVarUint(d);
  const e = encoding.createEncoder();
  const kept: Array<{ clientId: number; clock: number; json: string }> = [];
  let dropped = 0;
  for (let i = 0; i < n; i++) {
    const clientId = decoding.readVarUint(d);
    const clock = decoding.readVarUint(d);
    const json = decoding.readVarString(d);
    if (json.length > MAX_AWARENESS_STATE_CHARS) throw new Error('awareness state too large');
    if (ownerOf(clientId) === 'other') {
      dropped++;
      continue;
    }
    const state: unknown = JSON.parse(json);
    if (state === null) {
      kept.push({ clientId, clock, json });
      continue;
    }
    if (typeof state !== 'object' || Array.isArray(state)) {
      dropped++;
      continue;
    }
    const out = identity ? { ...(state as Record<string, unknown>), user: { name: identity.name, colour: identity.colour } } : state;
    kept.push({ clientId, clock, json: identity ? JSON.stringify(out) : json });
  }
  if (kept.length === 0) return { update: null, dropped };
  encoding.writeVarUint(e, kept.length);
  for (const k of kept) {
    encoding.writeVarUint(e, k.clientId);
    encoding.writeVarUint(e, k.clock);
    encoding.writeVarString(e, k.json);
  }
  return { update: encoding.toUint8Array(e), dropped };
}
