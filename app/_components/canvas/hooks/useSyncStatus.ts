'use client';

import { useEffect, useState } from 'react';
import type * as Y from 'yjs';
import { IndexeddbPersistence } from 'y-indexeddb';

/**
 * The status line: connected, offline or syncing, and whether everything is saved. It combines
 * what useDebateDoc knows (socket status, first sync, the server's save state from its Status
 * frames, a fatal close, a refused update) with the offline copy (useOfflineDoc) and whether
 * this tab made edits the server has not been sent yet (useLocalSync).
 */

export type SyncPhase = 'connecting' | 'syncing' | 'online' | 'offline' | 'fatal';

export interface SyncInput {
  status: 'connecting' | 'connected' | 'disconnected';
  synced: boolean;
  /** The server's save state ('paused' while its database is failing; it retries). */
  saving: 'ok' | 'paused';
  fatal: string | null;
  rejected: string | null;
  /** The browser keeps a copy (useOfflineDoc().persisted). */
  persisted: boolean;
  /** Local edits not yet sent to the server (useLocalSync). */
  unsent: boolean;
  /**
   * The socket has been open at least once (useLocalSync). y-websocket reports 'connecting'
   * while it retries after a drop too; this tells "Connecting…" from "Offline — reconnecting".
   */
  wasConnected?: boolean;
}

export interface SyncDescription {
  phase: SyncPhase;
  text: string;
  /** Everything this tab knows of is stored on the server. */
  saved: boolean;
}

export function describeSync(s: SyncInput): SyncDescription {
  if (s.fatal) return { phase: 'fatal', text: `Disconnected: ${s.fatal}`, saved: false };
  if (s.rejected) return { phase: 'fatal', text: 'A change was refused — reload to continue from the saved map', saved: false };
  if (s.status !== 'connected') {
    const first = s.status === 'connecting' && !s.wasConnected && !s.unsent;
    if (first) return { phase: 'connecting', text: 'Connecting…', saved: !s.unsent };
    if (s.unsent)
      return s.persisted
        ? { phase: 'offline', text: 'Offline — your changes are kept in this browser and sync when the connection is back', saved: false }
        : { phase: 'offline', text: 'Offline — unsaved changes: keep this tab open until it reconnects', saved: false };
    return { phase: 'offline', text: 'Offline — reconnecting', saved: true };
  }
  if (!s.synced) return { phase: 'syncing', text: s.unsent ? 'Syncing your offline changes…' : 'Syncing…', saved: false };
  if (s.saving === 'paused') return { phase: 'online', text: 'Connected — saving paused on the server, retrying', saved: false };
  if (s.unsent) return { phase: 'syncing', text: 'Saving…', saved: false };
  return { phase: 'online', text: 'Connected — all changes saved', saved: true };
}

interface ProviderLike {
  wsconnected: boolean;
  synced: boolean;
  on(event: 'sync', f: (synced: boolean) => void): void;
  off(event: 'sync', f: (synced: boolean) => void): void;
  on(event: 'status', f: (e: { status: string }) => void): void;
  off(event: 'status', f: (e: { status: string }) => void): void;
}

export interface LocalSync {
  /**
   * True from the first local edit made while the socket is down until the provider has synced
   * again after reconnecting (its answer to the server's state vector carries the edits). Edits
   * made while connected go out at once; the server stores each before relaying it.
   */
  unsent: boolean;
  /** The socket has been open at least once since the provider was made. */
  wasConnected: boolean;
}

export function useLocalSync(doc: Y.Doc | null, provider: ProviderLike | null): LocalSync {
  const [unsent, setUnsent] = useState(false);
  const [wasConnected, setWasConnected] = useState(false);
  useEffect(() => {
    if (!doc || !provider) return;
    setWasConnected(provider.wsconnected);
    const onUpdate = (_u: Uint8Array, origin: unknown) => {
      // The offline copy loading is not an edit: it is what the server had, or edits already counted.
      if (origin === provider || origin instanceof IndexeddbPersistence) return;
      if (!(provider.wsconnected && provider.synced)) setUnsent(true);
    };
    const onSync = (synced: boolean) => {
      if (synced && provider.wsconnected) setUnsent(false);
    };
    const onStatus = ({ status }: { status: string }) => {
      if (status === 'connected') setWasConnected(true);
    };
    doc.on('update', onUpdate);
    provider.on('sync', onSync);
    provider.on('status', onStatus);
    return () => {
      doc.off('update', onUpdate);
      provider.off('sync', onSync);
      provider.off('status', onStatus);
    };
  }, [doc, provider]);
  return { unsent, wasConnected };
}

/** The CSS class globals.css has for each phase (the dot before the status text). */
export const STATUS_CLASS: Record<SyncPhase, string> = {
  connecting: 'status-connecting',
  syncing: 'status-connecting',
  online: 'status-connected',
  offline: 'status-disconnected',
  fatal: 'status-fatal',
};
