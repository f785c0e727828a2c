'use client';

import { useEffect, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';
import * as decoding from 'lib0/decoding';
import { ensureRoots } from '@/lib/model/doc';
import { ensureCommentRoot } from '@/lib/model/comment';
import { MessageType, CloseCode, CloseReason, type StatusMessage } from '@/lib/protocol';

export type ConnectionStatus = 'connecting' | 'connected' | 'disconnected';

export interface DebateDocState {
  doc: Y.Doc | null;
  provider: WebsocketProvider | null;
  status: ConnectionStatus;
  synced: boolean;
  /** The server's save state, from Crux status frames. */
  saving: 'ok' | 'paused';
  /** Set when the server closed the connection for good (e.g. the debate was not found). */
  fatal: string | null;
  rejected: string | null;
  /** The last change the server cut back to a limit (a race with someone else), to tell the user. */
  repaired: { detail: string; at: number } | null;
  /** The server closed with 4422 (it refused an update); the provider no longer reconnects. */
  invalidUpdate: boolean;
}

export function syncUrl(): string {
  const { protocol, host } = window.location;
  return `${protocol === 'https:' ? 'wss' : 'ws'}://${host}/yjs`;
}

/** Opens the debate's Y.Doc over the sync socket; the provider lives as long as the component. */
export function useDebateDoc(debateId: string): DebateDocState {
  const qc = useQueryClient();
  const [state, setState] = useState<DebateDocState>({
    doc: null,
    provider: null,
    status: 'connecting',
    synced: false,
    saving: 'ok',
    fatal: null,
    rejected: null,
    repaired: null,
    invalidUpdate: false,
  });

  useEffect(() => {
    const doc = new Y.Doc();
    ensureRoots(doc);
    // Remote comment updates must land on a real root, not a placeholder (see ensureRoots).
    ensureCommentRoot(doc);
    // disableBc: every change goes through the server, which validates and persists it.
    // connect: false: the page connects once the browser's offline copy is in the doc (useConnectWhenLoaded).
    const provider = new WebsocketProvider(syncUrl(), debateId, doc, { params: { client: 'crux' }, disableBc: true, connect: false });
    provider.messageHandlers[MessageType.Status] = (_enc, dec) => {
      const msg = JSON.parse(decoding.readVarString(dec)) as StatusMessage;
      if (msg.kind === 'saving') setState((s) => ({ ...s, saving: msg.state }));
      else if (msg.kind === 'repaired') setState((s) => ({ ...s, repaired: { detail: msg.detail, at: Date.now() } }));
      // Write access shrank (a lock, a phase, a new role): not a refused change. The access query
      // drives what the page offers and its banners; a change sent anyway is refused with 4403.
      else if (msg.reason === 'read-only') void qc.invalidateQueries({ queryKey: ['debate', debateId, 'access'] });
      else setState((s) => ({ ...s, rejected: `${msg.reason}: ${msg.detail}` }));
    };
    setState((s) => ({ ...s, doc, provider }));
    const onStatus = ({ status }: { status: ConnectionStatus }) => setState((s) => ({ ...s, status }));
    const onSync = (synced: boolean) => setState((s) => ({ ...s, synced }));
    const onClosed = ({ code, reason }: { code: number; reason: string }) => {
      // A terminal close (4xxx): do not resume on the browser's 'online' event either. After a
      // refused update (4422) reconnecting would resend the same update on every retry: stop for
      // good, and let the banner offer a reload from the server's copy.
      stopped = true;
      if (code === CloseCode.InvalidUpdate) provider.disconnect();
      setState((s) => ({
        ...s,
        fatal: CloseReason[code as CloseCode] ?? (reason || `closed (${code})`),
        invalidUpdate: s.invalidUpdate || code === CloseCode.InvalidUpdate,
      }));
    };
    // A socket can stay half-open for a long time after the network goes away: follow the
    // browser's own online/offline signal rather than waiting for y-websocket's 30 s timeout.
    let stopped = false;
    const onOffline = () => provider.disconnect();
    const onOnline = () => {
      if (!stopped) provider.connect();
    };
    window.addEventListener('offline', onOffline);
    window.addEventListener('online', onOnline);
    provider.on('status', onStatus);
    provider.on('sync', onSync);
    provider.on('closed', onClosed);
    return () => {
      provider.off('status', onStatus);
      provider.off('sync', onSync);
      provider.off('closed', onClosed);
      window.removeEventListener('offline', onOffline);
      window.removeEventListener('online', onOnline);
      provider.destroy();
      doc.destroy();
    };
  }, [debateId, qc]);

  return state;
}

/** How long to wait for the browser's offline copy before connecting without it. */
const OFFLINE_COPY_WAIT_MS = 3000;

/**
 * Connects the provider once the offline copy has been read into the document (or could not be).
 * Read after connecting, the copy would reach the provider as one local update and go to the
 * server whole: a big debate's copy is over the 1 MB frame limit and the server closes the socket
 * (4413). Read before, the first sync sends only what the server lacks (sync step 2).
 */
export function useConnectWhenLoaded(provider: WebsocketProvider | null, loaded: boolean): void {
  useEffect(() => {
    if (!provider || provider.shouldConnect || provider.wsconnected) return;
    if (loaded) {
      provider.connect();
      return;
    }
    const t = setTimeout(() => {
      if (!provider.shouldConnect) provider.connect();
    }, OFFLINE_COPY_WAIT_MS);
    return () => clearTimeout(t);
  }, [provider, loaded]);
}
