'use client';

import { useEffect, useMemo, useRef, useState, type KeyboardEvent, type MouseEvent } from 'react';
import type * as Y from 'yjs';
import { MAX_CLAIM_TEXT, type ClaimKind } from '@/lib/model/claim';
import { addClaim, addRelation, deleteClaims, setClaimText } from '@/lib/model/doc';
import type { ArgumentGraph } from '@/lib/model/graph';
import type { RelationKind } from '@/lib/model/relation';
import { buildOutline, visibleItems, type OutlineItem } from '@/lib/outline';
import { freeSpotBelow } from '../canvas/hooks/placement';
import { LOCAL_ORIGIN, undoBoundary } from '../canvas/hooks/useUndo';
import { StrengthBar } from '../strength/StrengthBar';
import { fixed1, votesWord } from '../strength/encoding';
import type { NodeStrength } from '../strength/useStrengthView';
import styles from './outline.module.css';

/**
 * The argument map as an outline: the same document as the canvas, as a WAI-ARIA tree that a
 * keyboard and a screen reader can use on their own.
 *
 * Keys (on a focused item):
 *   Up / Down        previous / next visible item       Home / End   first / last item
 *   Right            expand, or go to the first child   Left         collapse, or go to the parent
 *   Enter / F2       edit the claim's text inline (Enter saves, Shift+Enter new line, Esc cancels)
 *   Insert or S      add a supporting argument          A            add an attacking argument
 *   Delete           delete the claim (everywhere it appears)
 * Selection follows focus and is shared with the canvas through `selection` / `onSelect`.
 * A claim under several parents appears under each; the repeats say so and are not expanded.
 */

export const RELATION_COLOUR: Record<RelationKind, string> = { supports: '#0072B2', attacks: '#D55E00', undercuts: '#CC79A7' };
/** A symbol as well as a word and a colour, so the relation never rests on colour alone. */
const RELATION_SYMBOL: Record<RelationKind, string> = { supports: '+', attacks: '−', undercuts: '⤳' };
const KIND_LABEL: Record<ClaimKind, string> = { thesis: 'Thesis', claim: 'Claim', question: 'Question' };

export interface OutlineViewProps {
  doc: Y.Doc | null;
  graph: ArgumentGraph;
  selection: ReadonlySet<string>;
  onSelect: (ids: string[]) => void;
  readOnly?: boolean;
  /** Author of claims added here. */
  author?: string;
  /** Transaction origin of edits; the canvas's undo tracks LOCAL_ORIGIN. */
  origin?: unknown;
  /** Accessible name of the tree. */
  label?: string;
  /** Each claim's strength and agreement tally, when scores are shown. */
  strength?: (claimId: string) => NodeStrength;
}

export function OutlineView({
  doc,
  graph,
  selection,
  onSelect,
  readOnly = false,
  author = 'Guest',
  origin = LOCAL_ORIGIN,
  label = 'Argument outline',
  strength,
}: OutlineViewProps) {
  const roots = useMemo(() => buildOutline(graph), [graph]);
  // Collapsed rather than expanded keys: new arguments show up open.
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(() => new Set());
  const visible = useMemo(() => visibleItems(roots, (i) => !collapsed.has(i.key)), [roots, collapsed]);
  const byKey = useMemo(() => new Map(visible.map((i) => [i.key, i])), [visible]);
  const [focusKey, setFocusKey] = useState<string | null>(null);
  const [editing, setEditingState] = useState<{ key: string; draft: string } | null>(null);
  // Mirrors `editing` for the blur handler, which can run after Esc with a stale closure.
  const editingRef = useRef(editing);
  const setEditing = (e: { key: string; draft: string } | null) => {
    editingRef.current = e;
    setEditingState(e);
  };
  const [pendingEdit, setPendingEdit] = useState<string | null>(null);
  const treeRef = useRef<HTMLUListElement>(null);
  /** Set when a key or click moved focus, so the effect moves DOM focus; not for remote changes. */
  const moveDomFocus = useRef(false);
  const [focusTick, setFocusTick] = useState(0);
  const requestDomFocus = () => {
    moveDomFocus.current = true;
    setFocusTick((t) => t + 1);
  };

  // The focused item: the one the user moved to while it exists, else an occurrence of a selected
  // claim (the canvas may have changed the selection), else the first item.
  const current: OutlineItem | undefined =
    (focusKey ? byKey.get(focusKey) : undefined) ?? visible.find((i) => selection.has(i.claim.id)) ?? visible[0];

  useEffect(() => {
    if (!moveDomFocus.current || !current) return;
    moveDomFocus.current = false;
    treeRef.current?.querySelector<HTMLElement>(`[data-key="${cssEscape(current.key)}"]`)?.focus();
  }, [current, focusTick]);

  // A claim just added here opens for editing once its item exists.
  useEffect(() => {
    if (!pendingEdit) return;
    const item = visible.find((i) => i.claim.id === pendingEdit && i.marker === 'first');
    if (!item) return;
    setPendingEdit(null);
    setFocusKey(item.key);
    setEditing({ key: item.key, draft: item.claim.text });
  }, [pendingEdit, visible]);

  const focus = (item: OutlineItem | undefined) => {
    if (!item) return;
    requestDomFocus();
    setFocusKey(item.key);
    if (!(selection.size === 1 && selection.has(item.claim.id))) onSelect([item.claim.id]);
  };

  const toggle = (item: OutlineItem, open: boolean) =>
    setCollapsed((prev) => {
      const next = new Set(prev);
      if (open) next.delete(item.key);
      else next.add(item.key);
      return next;
    });

  const addChild = (parent: OutlineItem, kind: 'supports' | 'attacks') => {
    if (!doc || readOnly) return;
    undoBoundary(doc);
    const pos = freeSpotBelow(graph, parent.claim);
    let id = '';
    doc.transact(() => {
      id = addClaim(doc, { text: '', kind: 'claim', x: pos.x, y: pos.y, author }, origin);
      addRelation(doc, { from: id, to: parent.claim.id, kind, author }, origin);
    }, origin);
    toggle(parent, true);
    onSelect([id]);
    setPendingEdit(id);
  };

  const remove = (item: OutlineItem) => {
    if (!doc || readOnly) return;
    const i = visible.indexOf(item);
    const after = visible.slice(i + 1).find((v) => v.claim.id !== item.claim.id && !isInside(v, item));
    const before = visible
      .slice(0, i)
      .reverse()
      .find((v) => v.claim.id !== item.claim.id);
    undoBoundary(doc);
    deleteClaims(doc, [item.claim.id], origin);
    const next = after ?? before;
    if (next) focus(next);
    else onSelect([]);
  };

  const commit = () => {
    const ed = editingRef.current;
    if (!ed) return;
    const item = byKey.get(ed.key);
    if (doc && item && !readOnly && ed.draft !== item.claim.text)
      setClaimText(doc, item.claim.id, ed.draft.slice(0, MAX_CLAIM_TEXT), origin);
    setEditing(null);
    requestDomFocus();
  };

  const onKeyDown = (e: KeyboardEvent<HTMLUListElement>) => {
    if (!current || editing || e.altKey || e.ctrlKey || e.metaKey) return;
    const i = visible.indexOf(current);
    const parent = current.parentKey ? byKey.get(current.parentKey) : undefined;
    const open = current.children.length > 0 && !collapsed.has(current.key);
    let handled = true;
    switch (e.key) {
      case 'ArrowDown':
        focus(visible[i + 1]);
        break;
      case 'ArrowUp':
        focus(visible[i - 1]);
        break;
      case 'Home':
        focus(visible[0]);
        break;
      case 'End':
        focus(visible[visible.length - 1]);
        break;
      case 'ArrowRight':
        if (current.children.length === 0) break;
        if (!open) toggle(current, true);
        else focus(current.children[0]);
        break;
      case 'ArrowLeft':
        if (open) toggle(current, false);
        else focus(parent);
        break;
      case 'Enter':
      case 'F2':
        if (!readOnly && doc) setEditing({ key: current.key, draft: current.claim.text });
        break;
      case 'Insert':
      case 's':
      case 'S':
        addChild(current, 'supports');
        break;
      case 'a':
      case 'A':
        addChild(current, 'attacks');
        break;
      case 'Delete':
        remove(current);
        break;
      default:
        handled = false;
    }
    if (handled) {
      e.preventDefault();
      // The canvas's own shortcuts must not act on the same key.
      e.stopPropagation();
    }
  };

  const onEditKey = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    e.stopPropagation();
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      commit();
    } else if (e.key === 'Escape') {
      e.preventDefault();
      setEditing(null);
      requestDomFocus();
    }
  };

  if (roots.length === 0)
    return (
      <p className={styles.empty} data-testid="outline">
        The map is empty.
      </p>
    );

  const renderItems = (items: readonly OutlineItem[]) =>
    items.map((item, idx) => {
      const hasKids = item.children.length > 0;
      const open = hasKids && !collapsed.has(item.key);
      const rowId = `outline-row-${domId(item.key)}`;
      const isEditing = editing?.key === item.key;
      const rel = item.relation?.kind;
      return (
        <li
          key={item.key}
          role="treeitem"
          className={styles.item}
          aria-level={item.depth + 1}
          aria-setsize={items.length}
          aria-posinset={idx + 1}
          aria-expanded={hasKids ? open : undefined}
          aria-selected={selection.has(item.claim.id)}
          aria-labelledby={rowId}
          tabIndex={current?.key === item.key ? 0 : -1}
          data-testid="outline-item"
          data-claim-id={item.claim.id}
          data-key={item.key}
          data-marker={item.marker}
          onFocus={(e) => {
            if (e.target === e.currentTarget && focusKey !== item.key) setFocusKey(item.key);
          }}
        >
          <div
            id={rowId}
            className={styles.row}
            onClick={(e: MouseEvent) => {
              e.stopPropagation();
              focus(item);
            }}
            onDoubleClick={() => !readOnly && doc && setEditing({ key: item.key, draft: item.claim.text })}
          >
            <span
              className={styles.twisty}
              aria-hidden="true"
              onClick={(e) => {
                if (!hasKids) return;
                e.stopPropagation();
                toggle(item, !open);
              }}
            >
              {hasKids ? (open ? '▾' : '▸') : ''}
            </span>
            {rel && (
              <span className={styles.relation} style={{ color: RELATION_COLOUR[rel] }} data-relation={rel}>
                <span>
                  {RELATION_SYMBOL[rel]} {rel}
                </span>
              </span>
            )}
            <span className={styles.kind}>{KIND_LABEL[item.claim.kind]}</span>
            {isEditing ? (
              <textarea
                className={styles.edit}
                aria-label="Claim text"
                value={editing.draft}
                maxLength={MAX_CLAIM_TEXT}
                autoFocus
                onChange={(e) => setEditing({ key: item.key, draft: e.target.value })}
                onKeyDown={onEditKey}
                onBlur={commit}
                onClick={(e) => e.stopPropagation()}
              />
            ) : (
              <span className={item.claim.text ? styles.text : `${styles.text} ${styles.placeholder}`}>
                {item.claim.text || 'Empty claim'}
              </span>
            )}
            {strength && <OutlineStrength s={strength(item.claim.id)} thesis={item.claim.kind === 'thesis'} />}
            {item.marker === 'repeat' && <span className={styles.marker}>(repeat: its arguments are shown above)</span>}
            {item.marker === 'cycle' && <span className={styles.marker}>(cycle: argues about a claim above it)</span>}
          </div>
          {open && (
            <ul role="group" className={styles.group}>
              {renderItems(item.children)}
            </ul>
          )}
        </li>
      );
    });

  return (
    <ul
      ref={treeRef}
      role="tree"
      aria-label={label}
      aria-multiselectable="false"
      className={styles.tree}
      data-testid="outline"
      onKeyDown={onKeyDown}
    >
      {renderItems(roots)}
    </ul>
  );
}

function OutlineStrength({ s, thesis }: { s: NodeStrength; thesis: boolean }) {
  if (s.score === undefined) return null;
  return (
    <span className={styles.strength} data-testid="outline-strength" data-score={Math.round(s.score * 100)}>
      <StrengthBar score={s.score} label={thesis ? 'Standing' : 'Strength'} size={thesis ? 'lg' : 'sm'} />
      <span className={styles.tally}>
        {s.agreeCount === 0 ? 'no votes' : `${votesWord(s.agreeCount)}, mean ${fixed1(s.agreeMean)} of 4`}
      </span>
    </span>
  );
}

/** Is `v` a descendant of `ancestor` (by key path)? */
const isInside = (v: OutlineItem, ancestor: OutlineItem): boolean => v.key.startsWith(`${ancestor.key}/`);

/** Keys hold ids ([A-Za-z0-9_-]) and '/', so replacing '/' makes a valid, unique DOM id. */
const domId = (key: string): string => key.replace(/[^A-Za-z0-9_-]/g, (c) => `_${c.charCodeAt(0).toString(16)}_`);

const cssEscape = (s: string): string => (typeof CSS !== 'undefined' && CSS.escape ? CSS.escape(s) : s.replace(/["\\]/g, '\\$&'));
