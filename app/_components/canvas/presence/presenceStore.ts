import type { Awareness } from 'y-protocols/awareness';
import { colourFor, type PresenceUser } from '@/lib/presence';

/**
 * Live presence over the Yjs awareness channel: who is here, where their pointer is, what they
 * have selected and what they are looking at. Each tab publishes one awareness state:
 *   { user: { name, colour }, cursor: { x, y } | null, selection: string[], viewport: { x, y, zoom, width?, height? } | null }
 * with the cursor in flow coordinates (so it lands on the same spot of the map at any zoom) and
 * the viewport as React Flow's transform plus the size of the pane (which lets a follower centre
 * on the same point whatever their window size).
 *
 * The store lives outside React so that a remote pointer moving 30 times a second re-renders only
 * the cursor layer, not the canvas: components subscribe to the slice they draw.
 */

export type { PresenceUser };

export interface FlowPoint {
  x: number;
  y: number;
}

export interface PeerViewport {
  x: number;
  y: number;
  zoom: number;
  /** The pane's size in screen pixels, when known. */
  width?: number;
  height?: number;
}

export interface PresenceState {
  user: PresenceUser;
  cursor: FlowPoint | null;
  selection: string[];
  viewport: PeerViewport | null;
}

export interface Peer extends PresenceState {
  clientId: number;
}

/** A remote participant as lists show them; also who has a claim selected. */
export interface RemoteSelector {
  clientId: number;
  name: string;
  colour: string;
}

/** ~30 Hz: smooth enough for a pointer, a fraction of what a mouse reports. */
export const PRESENCE_SEND_MS = 33;
const MAX_NAME = 60;
const MAX_SELECTION = 500;
const MAX_ID = 64;
const HEX_COLOUR = /^#[0-9a-fA-F]{6}$/;

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * Reads a remote awareness state. Anyone in the room can put anything there, so every field is
 * checked: a name is cut to length, a colour that is not #rrggbb (it would go into a style) is
 * replaced by one derived from the client id, and a state without a user is not a participant.
 */
export function parsePresence(clientId: number, raw: unknown): Peer | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const r = raw as Record<string, unknown>;
  const u = r.user as Record<string, unknown> | undefined;
  if (typeof u !== 'object' || u === null || typeof u.name !== 'string') return null;
  const name = u.name.trim().slice(0, MAX_NAME) || 'Anonymous';
  const colour = typeof u.colour === 'string' && HEX_COLOUR.test(u.colour) ? u.colour : colourFor(`client:${clientId}`);
  const c = r.cursor as Record<string, unknown> | null | undefined;
  const cursor = c && finite(c.x) && finite(c.y) ? { x: c.x, y: c.y } : null;
  const selection = Array.isArray(r.selection)
    ? r.selection.filter((s): s is string => typeof s === 'string' && s.length > 0 && s.length <= MAX_ID).slice(0, MAX_SELECTION)
    : [];
  const v = r.viewport as Record<string, unknown> | null | undefined;
  let viewport: PeerViewport | null = null;
  if (v && finite(v.x) && finite(v.y) && finite(v.zoom) && v.zoom > 0) {
    viewport = { x: v.x, y: v.y, zoom: v.zoom };
    if (finite(v.width) && finite(v.height) && v.width > 0 && v.height > 0) Object.assign(viewport, { width: v.width, height: v.height });
  }
  return { clientId, user: { name, colour }, cursor, selection, viewport };
}

/** Claim id → who (other than this tab) has it selected, in a stable order. */
export function selectionsByClaim(peers: readonly Peer[]): Map<string, RemoteSelector[]> {
  const out = new Map<string, RemoteSelector[]>();
  for (const p of peers)
    for (const id of p.selection) {
      const list = out.get(id) ?? [];
      list.push({ clientId: p.clientId, name: p.user.name, colour: p.user.colour });
      out.set(id, list);
    }
  return out;
}

type Listener = () => void;

export class PresenceStore {
  private peers: readonly Peer[] = [];
  private selections = new Map<string, RemoteSelector[]>();
  private selectionsKey = '';
  private participants: readonly RemoteSelector[] = [];
  private participantsKey = '';
  private readonly listeners = new Set<Listener>();
  private local: PresenceState;
  private pending = false;
  private lastSent = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    readonly awareness: Awareness,
    user: PresenceUser,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.local = { user, cursor: null, selection: [], viewport: null };
    awareness.on('change', this.onChange);
    this.flush();
    this.onChange();
  }

  get clientId(): number {
    return this.awareness.clientID;
  }

  get user(): PresenceUser {
    return this.local.user;
  }

  /** Remote participants, by name then client id; a new array whenever anything about them changes. */
  getPeers = (): readonly Peer[] => this.peers;

  /** Who is here (not this tab): the same array until someone joins, leaves or renames. */
  getParticipants = (): readonly RemoteSelector[] => this.participants;

  /** Claim id → remote selectors; the same Map until a selection (not a pointer) changes. */
  getSelections = (): ReadonlyMap<string, RemoteSelector[]> => this.selections;

  subscribe = (fn: Listener): (() => void) => {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  };

  setUser(user: PresenceUser): void {
    this.update({ user });
  }

  setCursor(cursor: FlowPoint | null): void {
    this.update({ cursor });
  }

  setSelection(ids: Iterable<string>): void {
    this.update({ selection: [...ids].slice(0, MAX_SELECTION) });
  }

  setViewport(viewport: PeerViewport | null): void {
    this.update({ viewport });
  }

  /** Stops publishing and tells the others this tab has left. */
  destroy(): void {
    if (this.timer) clearTimeout(this.timer);
    this.awareness.off('change', this.onChange);
    this.listeners.clear();
    this.awareness.setLocalState(null);
  }

  private update(patch: Partial<PresenceState>): void {
    this.local = { ...this.local, ...patch };
    this.pending = true;
    const wait = PRESENCE_SEND_MS - (this.now() - this.lastSent);
    if (wait <= 0) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), wait);
  }

  /** Sends the latest local state: whatever changed in between goes out as one awareness update. */
  private flush(): void {
    this.timer = null;
    this.pending = false;
    this.lastSent = this.now();
    this.awareness.setLocalState({ ...this.local });
  }

  /** Whether a send is waiting for the throttle (for tests). */
  get hasPending(): boolean {
    return this.pending;
  }

  private onChange = (change?: { added: number[]; updated: number[]; removed: number[] }): void => {
    // Our own state changes at pointer speed; only the others' concern the subscribers.
    if (change && [...change.added, ...change.updated, ...change.removed].every((id) => id === this.awareness.clientID)) return;
    const peers: Peer[] = [];
    for (const [clientId, raw] of this.awareness.getStates()) {
      if (clientId === this.awareness.clientID) continue;
      const p = parsePresence(clientId, raw);
      if (p) peers.push(p);
    }
    peers.sort((a, b) => a.user.name.localeCompare(b.user.name) || a.clientId - b.clientId);
    this.peers = peers;
    const who = JSON.stringify(peers.map((p) => [p.clientId, p.user.colour, p.user.name]));
    if (who !== this.participantsKey) {
      this.participantsKey = who;
      this.participants = peers.map((p) => ({ clientId: p.clientId, name: p.user.name, colour: p.user.colour }));
    }
    const selected = JSON.stringify(peers.map((p) => [p.clientId, p.user.colour, p.user.name, p.selection]));
    if (selected !== this.selectionsKey) {
      this.selectionsKey = selected;
      this.selections = selectionsByClaim(peers);
    }
    for (const fn of this.listeners) fn();
  };
}
