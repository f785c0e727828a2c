'use client';

import { useLayoutEffect, useMemo, useRef } from 'react';
import { useReactFlow, useStoreApi } from '@xyflow/react';
import type * as Y from 'yjs';
import { DEFAULT_NODE_SIZE, autoLayout, type Size } from '@/lib/layout';
import { MAX_CLAIM_TEXT } from '@/lib/model/claim';
import { addClaim, addRelation, deleteClaims, deleteRelations, updateClaim } from '@/lib/model/doc';
import { undercutChain, type ArgumentGraph } from '@/lib/model/graph';
import { LOCAL_ORIGIN, undoBoundary, type UndoOutcome } from './useUndo';
import { freeSpotBelow, nearestInDirection, nearestTo, type Direction } from './placement';
import { copySelection, parseClipboard, pasteClipboard, serializeClipboard } from './clipboard';
import { fitClaims } from './fitClaims';

/**
 * The canvas's commands, shared by the keyboard shortcuts (useShortcuts), the context menu and
 * any toolbar button, so each action is written once. Every document change goes through the
 * lib/model accessors with LOCAL_ORIGIN, which makes it one undoable step of this user's.
 */

export type { Direction };

export interface CommandContext {
  doc: Y.Doc | null;
  graph: ArgumentGraph;
  selected: ReadonlySet<string>;
  selectedEdges?: ReadonlySet<string>;
  setSelected: (ids: Set<string>) => void;
  setSelectedEdges?: (ids: Set<string>) => void;
  author: string;
  /** Readers may navigate, copy and open help, nothing that changes the map. */
  readOnly?: boolean;
  undo: () => UndoOutcome;
  redo: () => UndoOutcome;
  /** Opens the inline editor of a claim (ClaimNode's textarea). */
  onEdit: (id: string) => void;
  /** Shows or hides the shortcut help. */
  onToggleHelp: () => void;
  /** Esc: close whatever is open (help, menu, panel); return true when something was. */
  onEscape?: () => boolean;
  onFocusSearch?: () => void;
  /** Short feedback for the user (a refused undo, an empty paste), e.g. in a live region. */
  onNotice?: (message: string) => void;
}

export interface CanvasCommands {
  readOnly: boolean;
  /** A new claim centred on `at` (flow coordinates) or the middle of the view; selected and opened for editing. */
  newClaim: (at?: { x: number; y: number }) => string | null;
  /** A new argument for or against the selected claim (or `parentId`), below it. */
  addChild: (kind: 'supports' | 'attacks', parentId?: string) => string | null;
  /** A new claim undercutting a relation (the argument, or the one selected edge): it attacks the inference. */
  addUndercut: (relationId?: string) => string | null;
  deleteSelection: () => void;
  undo: () => void;
  redo: () => void;
  moveSelection: (dir: Direction) => void;
  edit: (id?: string) => void;
  escape: () => void;
  toggleHelp: () => void;
  /** The selection as clipboard text, or null when nothing is selected. */
  copyText: () => string | null;
  /** Pastes clipboard text: a Crux copy as claims with new ids, plain text as one new claim. */
  pasteText: (text: string, at?: { x: number; y: number }) => string[];
  /** Copy and paste through navigator.clipboard, for the context menu (shortcuts use the copy/paste events). */
  copy: () => Promise<void>;
  paste: (at?: { x: number; y: number }) => Promise<void>;
  zoomToFit: () => void;
  focusSearch: () => void;
  /** Re-arranges the map top-down; selected claims stay where they are. */
  autoLayout: () => void;
}

export function useCanvasCommands(ctx: CommandContext): CanvasCommands {
  const flow = useReactFlow();
  const store = useStoreApi();
  // Commands read the latest context when they run, so their identity can stay stable.
  const ref = useRef(ctx);
  useLayoutEffect(() => {
    ref.current = ctx;
  });

  return useMemo<CanvasCommands>(() => {
    const sizeOf = (id: string): Size => {
      const m = flow.getNode(id)?.measured;
      return m?.width && m?.height ? { width: m.width, height: m.height } : DEFAULT_NODE_SIZE;
    };
    /** The doc when this user may change it; also starts a new undo step for the command. */
    const canWrite = () => {
      const c = ref.current;
      const doc = c.doc !== null && !c.readOnly ? c.doc : null;
      undoBoundary(doc);
      return doc;
    };
    const viewCentre = () => {
      const el = store.getState().domNode;
      const r = el?.getBoundingClientRect();
      const p = r ? { x: r.left + r.width / 2, y: r.top + r.height / 2 } : { x: window.innerWidth / 2, y: window.innerHeight / 2 };
      return flow.screenToFlowPosition(p);
    };
    const primary = (): string | undefined => {
      const { selected, graph } = ref.current;
      for (const c of graph.claims) if (selected.has(c.id)) return c.id;
      return undefined;
    };

    const cmds: CanvasCommands = {
      get readOnly() {
        return ref.current.readOnly ?? false;
      },
      newClaim(at) {
        const doc = canWrite();
        if (!doc) return null;
        const { graph, author, setSelected, onEdit } = ref.current;
        const p = at ?? viewCentre();
        const id = addClaim(
          doc,
          {
            text: '',
            kind: graph.claims.length === 0 ? 'thesis' : 'claim',
            x: Math.round(p.x - DEFAULT_NODE_SIZE.width / 2),
            y: Math.round(p.y - DEFAULT_NODE_SIZE.height / 2),
            author,
          },
          LOCAL_ORIGIN,
        );
        setSelected(new Set([id]));
        onEdit(id);
        return id;
      },
      addChild(kind, parentId) {
        const doc = canWrite();
        const parent = parentId ?? primary();
        const { graph, author, setSelected, onEdit } = ref.current;
        const p = graph.claims.find((c) => c.id === parent);
        if (!doc || !p) return null;
        const pos = freeSpotBelow(graph, p, sizeOf);
        let id = '';
        doc.transact(() => {
          id = addClaim(doc, { text: '', kind: 'claim', x: pos.x, y: pos.y, author }, LOCAL_ORIGIN);
          addRelation(doc, { from: id, to: p.id, kind, author }, LOCAL_ORIGIN);
        }, LOCAL_ORIGIN);
        setSelected(new Set([id]));
        onEdit(id);
        return id;
      },
      addUndercut(relationId) {
        const doc = canWrite();
        const { graph, author, selectedEdges, setSelected, setSelectedEdges, onEdit, onNotice } = ref.current;
        const relId = relationId ?? (selectedEdges?.size === 1 ? [...selectedEdges][0] : undefined);
        const rel = graph.relations.find((r) => r.id === relId);
        if (!doc) return null;
        if (!rel) {
          onNotice?.('Select one relation (an arrow) to undercut it');
          return null;
        }
        // Placed beside the middle of the attacked line, which is where its arrow ends.
        const chain = undercutChain(rel.id, new Map(graph.relations.map((r) => [r.id, r])));
        if (!chain) return null;
        const a = graph.claims.find((c) => c.id === rel.from);
        const b = graph.claims.find((c) => c.id === chain.to);
        if (!a || !b) return null;
        const pos = { x: Math.round((a.x + b.x) / 2 + DEFAULT_NODE_SIZE.width + 60), y: Math.round((a.y + b.y) / 2) };
        let id = '';
        doc.transact(() => {
          id = addClaim(doc, { text: '', kind: 'claim', x: pos.x, y: pos.y, author }, LOCAL_ORIGIN);
          addRelation(doc, { from: id, to: rel.id, kind: 'undercuts', author }, LOCAL_ORIGIN);
        }, LOCAL_ORIGIN);
        setSelected(new Set([id]));
        setSelectedEdges?.(new Set());
        onEdit(id);
        return id;
      },
      deleteSelection() {
        const doc = canWrite();
        if (!doc) return;
        const { selected, selectedEdges, setSelected, setSelectedEdges } = ref.current;
        if (selected.size === 0 && (selectedEdges?.size ?? 0) === 0) return;
        doc.transact(() => {
          if (selectedEdges && selectedEdges.size > 0) deleteRelations(doc, selectedEdges, LOCAL_ORIGIN);
          if (selected.size > 0) deleteClaims(doc, selected, LOCAL_ORIGIN);
        }, LOCAL_ORIGIN);
        setSelected(new Set());
        setSelectedEdges?.(new Set());
      },
      undo() {
        if (!canWrite()) return;
        const o = ref.current.undo();
        if (!o.ok && o.reason === 'shared') ref.current.onNotice?.('Not undone: others have built on that change since.');
      },
      redo() {
        if (!canWrite()) return;
        const o = ref.current.redo();
        if (!o.ok && o.reason === 'shared') ref.current.onNotice?.('Not redone: others have built on that claim since.');
      },
      moveSelection(dir) {
        const { graph, setSelected } = ref.current;
        if (graph.claims.length === 0) return;
        const from = primary();
        const boxes = graph.claims.map((c) => ({ id: c.id, x: c.x, y: c.y, ...sizeOf(c.id) }));
        const origin = from ? boxes.find((b) => b.id === from) : undefined;
        const next = origin ? nearestInDirection(origin, boxes, dir) : nearestTo(viewCentre(), boxes);
        if (!next) return;
        setSelected(new Set([next]));
        const b = boxes.find((x) => x.id === next)!;
        // Keep the newly selected claim in view without changing the zoom.
        const r = store.getState().domNode?.getBoundingClientRect();
        const { x, y, zoom } = flow.getViewport();
        const sx = b.x * zoom + x;
        const sy = b.y * zoom + y;
        if (r && (sx < 0 || sy < 0 || sx + b.width * zoom > r.width || sy + b.height * zoom > r.height))
          void flow.setCenter(b.x + b.width / 2, b.y + b.height / 2, { zoom, duration: 200 });
      },
      edit(id) {
        const target = id ?? primary();
        if (target && canWrite()) ref.current.onEdit(target);
      },
      escape() {
        if (ref.current.onEscape?.()) return;
        ref.current.setSelected(new Set());
        ref.current.setSelectedEdges?.(new Set());
      },
      toggleHelp() {
        ref.current.onToggleHelp();
      },
      copyText() {
        const { graph, selected } = ref.current;
        const payload = copySelection(graph, selected);
        return payload ? serializeClipboard(payload) : null;
      },
      pasteText(text, at) {
        const doc = canWrite();
        if (!doc) return [];
        const { author, setSelected, onNotice } = ref.current;
        const payload = parseClipboard(text);
        let ids: string[];
        if (payload) ids = pasteClipboard(doc, payload, { author, origin: LOCAL_ORIGIN, at });
        else {
          const plain = text.trim();
          if (!plain) return [];
          const p = at ?? viewCentre();
          ids = [
            addClaim(
              doc,
              { text: plain.slice(0, MAX_CLAIM_TEXT), kind: 'claim', x: Math.round(p.x), y: Math.round(p.y), author },
              LOCAL_ORIGIN,
            ),
          ];
          if (plain.length > MAX_CLAIM_TEXT) onNotice?.(`The pasted text was cut to ${MAX_CLAIM_TEXT} characters.`);
        }
        setSelected(new Set(ids));
        return ids;
      },
      async copy() {
        const text = cmds.copyText();
        if (!text) return;
        try {
          await navigator.clipboard.writeText(text);
        } catch {
          ref.current.onNotice?.('The browser did not allow copying; use Ctrl+C.');
        }
      },
      async paste(at) {
        try {
          cmds.pasteText(await navigator.clipboard.readText(), at);
        } catch {
          ref.current.onNotice?.('The browser did not allow reading the clipboard; use Ctrl+V.');
        }
      },
      zoomToFit() {
        fitClaims(store.getState(), flow, { duration: 300 });
      },
      focusSearch() {
        ref.current.onFocusSearch?.();
      },
      autoLayout() {
        const doc = canWrite();
        if (!doc) return;
        const { graph, selected } = ref.current;
        const pos = autoLayout(graph, { pinned: selected, nodeSize: sizeOf });
        const byId = new Map(graph.claims.map((c) => [c.id, c]));
        doc.transact(() => {
          for (const [id, p] of pos) {
            const c = byId.get(id);
            if (c && (c.x !== p.x || c.y !== p.y)) updateClaim(doc, id, { x: p.x, y: p.y }, LOCAL_ORIGIN);
          }
        }, LOCAL_ORIGIN);
        fitClaims(store.getState(), flow, { positions: pos, duration: 300 });
      },
    };
    return cmds;
  }, [flow, store]);
}
