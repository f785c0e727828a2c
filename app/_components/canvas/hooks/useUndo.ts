'use client';

import { useCallback, useEffect, useState } from 'react';
import * as Y from 'yjs';
import { claimsMap, relationsMap } from '@/lib/model/doc';
import { commentsMap } from '@/lib/model/comment';

/**
 * Per-user undo. The UndoManager tracks only transactions whose origin is LOCAL_ORIGIN, so undo
 * reverts this tab's own edits and never a collaborator's (their updates arrive with the
 * WebsocketProvider as origin, the offline cache's with the IndexeddbPersistence). For that to
 * work, every local edit must pass LOCAL_ORIGIN as the accessor's `origin` argument: an edit made
 * without it cannot be undone, and — worse — is not protected either, since Yjs treats it like a
 * remote change.
 */
export const LOCAL_ORIGIN: { readonly source: 'crux-local' } = Object.freeze({ source: 'crux-local' });

/** Edits less than this far apart form one undo step (typing a word, one drag). */
export const UNDO_CAPTURE_MS = 500;

/** Origin of the follow-up write that repairs a field an undo dropped; never tracked. */
export const UNDO_REPAIR_ORIGIN: { readonly source: 'crux-undo-repair' } = Object.freeze({ source: 'crux-undo-repair' });

/** The manager of each doc, so code without access to the hook can mark step boundaries. */
const managers = new WeakMap<Y.Doc, Y.UndoManager>();

export function createUndoManager(doc: Y.Doc, origin: unknown = LOCAL_ORIGIN, captureTimeout = UNDO_CAPTURE_MS): Y.UndoManager {
  const um = new Y.UndoManager([claimsMap(doc), relationsMap(doc), commentsMap(doc)], {
    trackedOrigins: new Set([origin]),
    captureTimeout,
  });
  managers.set(doc, um);
  return um;
}

/** Destroys a manager made by createUndoManager and forgets it. */
export function destroyUndoManager(um: Y.UndoManager): void {
  if (managers.get(um.doc) === um) managers.delete(um.doc);
  um.destroy();
}

/**
 * Starts a new undo step with the next change. Call it before a discrete command (new claim,
 * delete, paste, layout): the capture timeout is for merging keystrokes and drag moves, and would
 * otherwise fold a delete made within half a second of a paste into the paste's step.
 */
export function undoBoundary(doc: Y.Doc | null): void {
  if (doc) managers.get(doc)?.stopCapturing();
}

export type UndoOutcome =
  | { ok: true }
  | { ok: false; reason: 'empty' }
  /** The step would delete claims, relations or comments others have built on since; it was dropped. */
  | { ok: false; reason: 'shared'; ids: string[] };

/**
 * Undoes (or redoes) one step of this user's, never touching anyone else's work:
 *
 * - Yjs already keeps a collaborator's later text edits and moves: undo removes only this user's
 *   insertions, and a map value someone overwrote since stays theirs.
 * - Deleting an entry is the one place Yjs would take others' work with it: undoing the creation
 *   of a claim that someone has since supported, edited, moved or commented on would delete their
 *   relation (the server drops relations whose claim is gone), their text and their thread. Such
 *   a step is refused whole — a half-undone step could leave a claim without its text, which the
 *   server refuses — and dropped from the stack, so the next undo reaches the step before it.
 *   The same holds for a redo that would delete again what an undo restored.
 * - yjs/yjs#514: when this user's value had won a concurrent set of the same key, undo removes
 *   it but will not restore the one before, because a remote value sits between them; a claim
 *   would lose its `x` and jump to 0. Any entry field deleted that way gets back the value it had
 *   just before the undo, so the claim stays where everyone saw it. No accessor deletes a field
 *   that has a value, so a field deleted after an earlier value can only be this bug (a field the
 *   undone step added is rightly removed). The repair is its own untracked transaction: it is not
 *   an undo step, and a redo still re-applies the undone one.
 */
export function undoStep(um: Y.UndoManager, which: 'undo' | 'redo'): UndoOutcome {
  const stack = which === 'undo' ? um.undoStack : um.redoStack;
  // Yjs pops steps until one changes something (a step whose every change others have since
  // overwritten does nothing), so a press could reach a step below without our check. Each step
  // is therefore checked, then popped alone, with the steps below it set aside meanwhile.
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const shared = sharedWorkDeletedBy(um.doc, top.insertions);
    if (shared.length > 0) {
      stack.pop();
      // Otherwise the next edit within the capture time would merge into the step below.
      um.stopCapturing();
      return { ok: false, reason: 'shared', ids: shared };
    }
    const below = stack.splice(0, stack.length - 1);
    let changed: boolean;
    try {
      changed = popRepairing(um, which);
    } finally {
      stack.unshift(...below);
    }
    if (changed) return { ok: true };
  }
  return { ok: false, reason: 'empty' };
}

/** um.undo() or um.redo(), then the yjs#514 repair; whether the step changed anything. */
function popRepairing(um: Y.UndoManager, which: 'undo' | 'redo'): boolean {
  const dropped: { map: Y.Map<unknown>; key: string; value: unknown }[] = [];
  const watch = (events: Y.YEvent<Y.AbstractType<unknown>>[]) => {
    for (const e of events) {
      if (!(e.target instanceof Y.Map) || e.target._item === null) continue;
      for (const [key, change] of e.changes.keys)
        if (change.action === 'delete' && !(change.oldValue instanceof Y.AbstractType))
          dropped.push({ map: e.target as Y.Map<unknown>, key, value: change.oldValue });
    }
  };
  const roots = um.scope.filter((t): t is Y.AbstractType<unknown> => t instanceof Y.AbstractType);
  for (const r of roots) r.observeDeep(watch);
  let popped: unknown;
  try {
    popped = which === 'undo' ? um.undo() : um.redo();
  } finally {
    for (const r of roots) r.unobserveDeep(watch);
  }
  const repairs = dropped.filter((d) => !d.map._item?.deleted && d.map.get(d.key) === undefined && d.map._map.get(d.key)?.left != null);
  if (repairs.length > 0) um.doc.transact(() => repairs.forEach((d) => d.map.set(d.key, d.value)), UNDO_REPAIR_ORIGIN);
  return popped != null;
}

type DeleteSet = Y.UndoManager['undoStack'][number]['insertions'];

/**
 * Ids of the claims, relations and comments that a step with these insertions would delete (it
 * created them) and whose deletion would take another client's work along: an item of theirs
 * inside the entry (a field, a character of its text), or anything that goes with the entry —
 * relations touching a claim (the server drops relations whose claim is gone) and undercuts of
 * those, transitively, as deleteClaims cascades; comments on a claim (hidden while it is gone)
 * and replies in a thread. Yjs client ids are per tab and session, so "another client" includes
 * this user's other tabs: work the undo must not take either.
 */
export function sharedWorkDeletedBy(doc: Y.Doc, insertions: DeleteSet): string[] {
  const me = doc.clientID;
  const roots = [claimsMap(doc), relationsMap(doc), commentsMap(doc)] as Y.Map<unknown>[];
  /** Every live entry, by id, with the root holding it. */
  const created: string[] = [];
  const holder = new Map<string, Y.Map<unknown>>();
  for (const root of roots)
    for (const [key, item] of root._map) {
      if (item.deleted) continue;
      holder.set(key, root);
      if (Y.isDeleted(insertions, item.id)) created.push(key);
    }
  if (created.length === 0) return [];

  // What goes with each entry when it is deleted: relations and comments pointing at it.
  const dependents = new Map<string, string[]>();
  const link = (target: unknown, id: string) => {
    if (typeof target !== 'string' || target === id) return;
    const list = dependents.get(target);
    if (list) list.push(id);
    else dependents.set(target, [id]);
  };
  relationsMap(doc).forEach((m, id) => {
    if (!(m instanceof Y.Map)) return;
    link(m.get('from'), id);
    link(m.get('to'), id);
  });
  commentsMap(doc).forEach((m, id) => {
    if (!(m instanceof Y.Map)) return;
    link(m.get('claimId'), id);
    link(m.get('parentId'), id);
  });

  const shared = new Set<string>();
  const seen = new Set<string>();
  for (const origin of created) {
    const queue = [origin];
    while (queue.length > 0) {
      const id = queue.pop()!;
      if (seen.has(id)) continue;
      seen.add(id);
      const root = holder.get(id);
      const item = root?._map.get(id);
      const entry = root?.get(id);
      if (item && (item.id.client !== me || (entry instanceof Y.Map && hasOthersItems(entry, me)))) shared.add(origin);
      for (const d of dependents.get(id) ?? []) if (holder.has(d)) queue.push(d);
    }
  }
  return [...shared].sort();
}

/** Does a live item of another client sit in this map's current values or in a Y.Text among them? */
function hasOthersItems(m: Y.Map<unknown>, me: number): boolean {
  for (const item of m._map.values()) {
    if (item.deleted) continue;
    if (item.id.client !== me) return true;
    const v = m.get(item.parentSub ?? '');
    if (v instanceof Y.Text)
      for (let t = v._start; t !== null; t = t.right as Y.Item | null) if (!t.deleted && t.id.client !== me) return true;
  }
  return false;
}

export interface UndoApi {
  /** Show a notice when the outcome is `shared`: the step was dropped, not undone. */
  undo: () => UndoOutcome;
  redo: () => UndoOutcome;
  canUndo: boolean;
  canRedo: boolean;
  /**
   * Ends the current undo step now, so the next edit starts a new one: call it when a gesture
   * begins (drag start, opening an editor), or a drag would merge with the edit just before it.
   */
  stopCapturing: () => void;
  /** The manager, for callers that need its events (null until the doc is there). */
  manager: Y.UndoManager | null;
}

/** Undo and redo for this tab's edits to `doc`; the manager lives as long as the doc. */
export function useUndo(doc: Y.Doc | null, origin: unknown = LOCAL_ORIGIN): UndoApi {
  const [manager, setManager] = useState<Y.UndoManager | null>(null);
  const [can, setCan] = useState({ undo: false, redo: false });

  useEffect(() => {
    if (!doc) return;
    const um = createUndoManager(doc, origin);
    const update = () =>
      setCan((prev) => (prev.undo === um.canUndo() && prev.redo === um.canRedo() ? prev : { undo: um.canUndo(), redo: um.canRedo() }));
    um.on('stack-item-added', update);
    um.on('stack-item-popped', update);
    um.on('stack-cleared', update);
    setManager(um);
    update();
    return () => {
      destroyUndoManager(um);
      setManager(null);
      setCan({ undo: false, redo: false });
    };
  }, [doc, origin]);

  const run = useCallback(
    (which: 'undo' | 'redo'): UndoOutcome => {
      if (!manager) return { ok: false, reason: 'empty' };
      const outcome = undoStep(manager, which);
      // A refused step leaves the stack without an event.
      setCan({ undo: manager.canUndo(), redo: manager.canRedo() });
      return outcome;
    },
    [manager],
  );
  const undo = useCallback(() => run('undo'), [run]);
  const redo = useCallback(() => run('redo'), [run]);
  const stopCapturing = useCallback(() => manager?.stopCapturing(), [manager]);
  return { undo, redo, canUndo: can.undo, canRedo: can.redo, stopCapturing, manager };
}
