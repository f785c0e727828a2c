'use client';

import { useCallback, useEffect, useRef, useState, useSyncExternalStore, type CSSProperties } from 'react';
import { useReactFlow, useStoreApi, type Viewport } from '@xyflow/react';
import type { Awareness } from 'y-protocols/awareness';
import { PresenceStore, type Peer, type PeerViewport, type PresenceUser, type RemoteSelector } from './presenceStore';

/**
 * Publishes this tab's presence on the provider's awareness and reads everyone else's. Returns
 * null until the provider exists. The store is stable for the provider's lifetime: pass it to
 * <PresenceLayer/>, <WhoIsHere/> and the hooks below rather than reading it during render.
 */
export function usePresence(provider: { awareness: Awareness } | null, user: PresenceUser): PresenceStore | null {
  const [store, setStore] = useState<PresenceStore | null>(null);
  // The store starts with the first user seen; later changes go through setUser below.
  const firstUser = useRef(user);
  useEffect(() => {
    if (!provider) return;
    const s = new PresenceStore(provider.awareness, firstUser.current);
    setStore(s);
    return () => {
      s.destroy();
      setStore(null);
    };
  }, [provider]);
  useEffect(() => {
    if (store && (store.user.name !== user.name || store.user.colour !== user.colour)) store.setUser(user);
  }, [store, user]);
  return store;
}

const noSubscribe = () => () => undefined;
const NO_PEERS: readonly Peer[] = [];
const NO_PARTICIPANTS: readonly RemoteSelector[] = [];
const NO_SELECTIONS: ReadonlyMap<string, RemoteSelector[]> = new Map();

/** Every remote participant with pointer, selection and viewport; changes at pointer speed. */
export function usePeers(store: PresenceStore | null): readonly Peer[] {
  return useSyncExternalStore(store?.subscribe ?? noSubscribe, store?.getPeers ?? (() => NO_PEERS), () => NO_PEERS);
}

/** Who is here (name and colour only); changes when someone joins, leaves or renames. */
export function useParticipants(store: PresenceStore | null): readonly RemoteSelector[] {
  return useSyncExternalStore(store?.subscribe ?? noSubscribe, store?.getParticipants ?? (() => NO_PARTICIPANTS), () => NO_PARTICIPANTS);
}

/**
 * Claim id → the remote participants who have it selected. The Map changes only when a selection
 * does, so the canvas can put it in its nodes' memo without re-rendering on every pointer move.
 */
export function useRemoteSelections(store: PresenceStore | null): ReadonlyMap<string, RemoteSelector[]> {
  return useSyncExternalStore(store?.subscribe ?? noSubscribe, store?.getSelections ?? (() => NO_SELECTIONS), () => NO_SELECTIONS);
}

/** The colours of the remote participants selecting a claim (for ClaimNode's outline). */
export function remoteSelectionColours(selections: ReadonlyMap<string, RemoteSelector[]>, claimId: string): string[] {
  return (selections.get(claimId) ?? []).map((s) => s.colour);
}

/**
 * A ring per remote selector, outermost last, drawn with box-shadow so it adds to the node's own
 * border and selection style instead of replacing them. Undefined when nobody else selects it.
 */
export function remoteSelectionStyle(colours: readonly string[]): CSSProperties | undefined {
  if (colours.length === 0) return undefined;
  return { boxShadow: colours.map((c, i) => `0 0 0 ${3 * (i + 1)}px ${c}`).join(', ') };
}

/** "Selected by Ann and Bo": the outline's text equivalent, for a title or a visually hidden label. */
export function remoteSelectionLabel(selectors: readonly RemoteSelector[] | undefined): string | undefined {
  if (!selectors || selectors.length === 0) return undefined;
  const names = selectors.map((s) => s.name);
  const list = names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
  return `Selected by ${list}`;
}

/**
 * The viewport that shows what a followed participant sees: the same zoom, centred on the same
 * point of the map (or, when their pane size is unknown, the same transform).
 */
export function followViewport(theirs: PeerViewport, mine: { width: number; height: number }): Viewport {
  if (!theirs.width || !theirs.height || !mine.width || !mine.height) return { x: theirs.x, y: theirs.y, zoom: theirs.zoom };
  const cx = (theirs.width / 2 - theirs.x) / theirs.zoom;
  const cy = (theirs.height / 2 - theirs.y) / theirs.zoom;
  return { x: mine.width / 2 - cx * theirs.zoom, y: mine.height / 2 - cy * theirs.zoom, zoom: theirs.zoom };
}

export interface FollowApi {
  /** The client id being followed, or null. */
  following: number | null;
  /** Follow a participant (null stops). */
  follow: (clientId: number | null) => void;
  /**
   * Pass as ReactFlow's onMoveStart: a pan or zoom by the user (an event) stops following; the
   * follower's own setViewport calls (no event) do not.
   */
  onMoveStart: (event: MouseEvent | TouchEvent | null) => void;
}

/** Makes the local viewport track a participant's until the user pans. Call inside ReactFlowProvider. */
export function useFollow(store: PresenceStore | null): FollowApi {
  const flow = useReactFlow();
  const api = useStoreApi();
  const [following, setFollowing] = useState<number | null>(null);
  useEffect(() => {
    if (!store || following === null) return;
    let last = '';
    const apply = () => {
      const peer = store.getPeers().find((p) => p.clientId === following);
      if (!peer) return setFollowing(null);
      if (!peer.viewport) return;
      const { width, height } = api.getState();
      const v = followViewport(peer.viewport, { width, height });
      const key = `${v.x},${v.y},${v.zoom}`;
      if (key === last) return;
      last = key;
      void flow.setViewport(v);
    };
    apply();
    return store.subscribe(apply);
  }, [store, following, flow, api]);
  const onMoveStart = useCallback((event: MouseEvent | TouchEvent | null) => {
    if (event) setFollowing(null);
  }, []);
  return { following, follow: setFollowing, onMoveStart };
}
