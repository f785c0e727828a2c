'use client';

import { useCallback, useEffect, useRef, useState } from 'react';
import type * as Y from 'yjs';
import { IndexeddbPersistence, clearDocument } from 'y-indexeddb';

/**
 * Keeps a copy of the debate's document in the browser (IndexedDB), so edits made while the
 * connection is down survive a closed tab and reach the server on the next visit: the stored
 * updates are applied to the doc with the persistence as origin, and the WebsocketProvider sends
 * every update that did not come from its socket, so they merge like any offline edit.
 *
 * The database is named `crux-<debateId>` (plus `-<epoch>` when given): pass something that
 * changes when a debate is recreated under the same id (its createdAt), or the old copy would be
 * merged into the new document.
 */

export const OFFLINE_DB_PREFIX = 'crux-';
/** Deleting a database waits for other tabs to close it; past this, reload anyway. */
const DELETE_TIMEOUT_MS = 3000;

export interface OfflineDoc {
  /** The browser holds a copy of this document and keeps it up to date. */
  persisted: boolean;
  /** The stored copy has been read into the doc (or there is none to read). */
  loaded: boolean;
  /**
   * Deletes the browser's copy and stops keeping one. For when the server refused an update
   * (close code 4422): the refused change sits in the stored copy too, and would be sent again on
   * every visit. Clear, then reload the page to start from the server's state.
   */
  clear: () => Promise<void>;
}

export function offlineDbName(debateId: string, epoch?: string): string {
  return `${OFFLINE_DB_PREFIX}${debateId}${epoch ? `-${epoch}` : ''}`;
}

export function useOfflineDoc(doc: Y.Doc | null, debateId: string, epoch?: string): OfflineDoc {
  const [state, setState] = useState({ persisted: false, loaded: false });
  const persistence = useRef<IndexeddbPersistence | null>(null);

  useEffect(() => {
    if (!doc) return;
    if (typeof indexedDB === 'undefined') {
      setState({ persisted: false, loaded: true });
      return;
    }
    const p = new IndexeddbPersistence(offlineDbName(debateId, epoch), doc);
    persistence.current = p;
    let live = true;
    p.on('synced', () => live && setState({ persisted: true, loaded: true }));
    // Private windows and full disks refuse IndexedDB: carry on without a copy.
    p._db.catch(() => live && setState({ persisted: false, loaded: true }));
    return () => {
      live = false;
      persistence.current = null;
      setState({ persisted: false, loaded: false });
      void p.destroy().catch(() => undefined);
    };
  }, [doc, debateId, epoch]);

  const clear = useCallback(async () => {
    const p = persistence.current;
    persistence.current = null;
    setState({ persisted: false, loaded: true });
    if (p) await p.destroy().catch(() => undefined);
    await withTimeout(clearDocument(offlineDbName(debateId, epoch)), DELETE_TIMEOUT_MS).catch(() => undefined);
  }, [debateId, epoch]);

  return { ...state, clear };
}

/**
 * Deletes every debate copy this browser holds, e.g. on sign-out so the next person at this
 * computer cannot read them. Browsers without indexedDB.databases() keep them.
 */
export async function clearAllOfflineCopies(): Promise<void> {
  if (typeof indexedDB === 'undefined' || typeof indexedDB.databases !== 'function') return;
  const dbs = await indexedDB.databases();
  await Promise.all(
    dbs
      .map((d) => d.name)
      .filter((n): n is string => typeof n === 'string' && n.startsWith(OFFLINE_DB_PREFIX))
      .map((n) => withTimeout(clearDocument(n), DELETE_TIMEOUT_MS).catch(() => undefined)),
  );
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  return Promise.race([p, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), ms))]);
}
