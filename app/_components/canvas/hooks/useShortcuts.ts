'use client';

import { useEffect } from 'react';
import type { CanvasCommands, Direction } from './useCanvasCommands';

/**
 * The canvas's keyboard shortcuts, defined once: the key handler matches against this table and
 * the help overlay lists it, so the two cannot drift apart.
 */
export type ShortcutId =
  | 'newClaim'
  | 'addSupport'
  | 'addAttack'
  | 'addUndercut'
  | 'edit'
  | 'delete'
  | 'undo'
  | 'redo'
  | 'copy'
  | 'paste'
  | 'moveUp'
  | 'moveDown'
  | 'moveLeft'
  | 'moveRight'
  | 'escape'
  | 'zoomToFit'
  | 'search'
  | 'help';

export interface Shortcut {
  id: ShortcutId;
  /** Each alternative is a list of keys pressed together; "Mod" is Ctrl, or ⌘ on a Mac. */
  keys: string[][];
  label: string;
  group: 'Create' | 'Edit' | 'Move around' | 'View';
}

export const SHORTCUTS: readonly Shortcut[] = [
  { id: 'newClaim', keys: [['N']], label: 'New claim in the middle of the view', group: 'Create' },
  { id: 'addSupport', keys: [['S']], label: 'Add a supporting argument to the selected claim', group: 'Create' },
  { id: 'addAttack', keys: [['A']], label: 'Add an attacking argument to the selected claim', group: 'Create' },
  {
    id: 'addUndercut',
    keys: [['U']],
    label: 'Undercut the selected relation: a claim that attacks the inference, not the conclusion',
    group: 'Create',
  },
  { id: 'paste', keys: [['Mod', 'V']], label: 'Paste claims (from this or another debate) or text as a new claim', group: 'Create' },
  { id: 'edit', keys: [['Enter']], label: 'Edit the selected claim (Enter again saves, Esc cancels)', group: 'Edit' },
  { id: 'delete', keys: [['Delete'], ['Backspace']], label: 'Delete the selection', group: 'Edit' },
  { id: 'undo', keys: [['Mod', 'Z']], label: 'Undo your last change', group: 'Edit' },
  {
    id: 'redo',
    keys: [
      ['Mod', 'Shift', 'Z'],
      ['Ctrl', 'Y'],
    ],
    label: 'Redo',
    group: 'Edit',
  },
  { id: 'copy', keys: [['Mod', 'C']], label: 'Copy the selected claims and the relations between them', group: 'Edit' },
  { id: 'moveUp', keys: [['↑']], label: 'Select the nearest claim above', group: 'Move around' },
  { id: 'moveDown', keys: [['↓']], label: 'Select the nearest claim below', group: 'Move around' },
  { id: 'moveLeft', keys: [['←']], label: 'Select the nearest claim to the left', group: 'Move around' },
  { id: 'moveRight', keys: [['→']], label: 'Select the nearest claim to the right', group: 'Move around' },
  { id: 'escape', keys: [['Esc']], label: 'Close what is open, or clear the selection', group: 'Move around' },
  { id: 'zoomToFit', keys: [['F']], label: 'Zoom to fit the whole map', group: 'View' },
  { id: 'search', keys: [['/']], label: 'Search claims', group: 'View' },
  { id: 'help', keys: [['?']], label: 'Show or hide this list', group: 'View' },
];

export const SHORTCUT_BY_ID: ReadonlyMap<ShortcutId, Shortcut> = new Map(SHORTCUTS.map((s) => [s.id, s]));

export const isMac = (): boolean => typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);

/** "Ctrl+Shift+Z" or "⌘⇧Z" for display. */
export function keyLabel(keys: readonly string[], mac = isMac()): string {
  const name = (k: string) => (k === 'Mod' ? (mac ? '⌘' : 'Ctrl') : mac && k === 'Shift' ? '⇧' : k);
  return keys.map(name).join(mac ? '' : '+');
}

type KeyInfo = Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'shiftKey' | 'altKey'>;

/**
 * Which shortcut a key press is, if any. Copy and paste are not here: they come through the
 * browser's copy and paste events, which carry the clipboard without a permission prompt.
 */
export function matchShortcut(e: KeyInfo, mac = isMac()): ShortcutId | null {
  const mod = mac ? e.metaKey : e.ctrlKey;
  if (e.altKey) return null;
  if (mod) {
    const k = e.key.toLowerCase();
    if (k === 'z') return e.shiftKey ? 'redo' : 'undo';
    if (k === 'y' && e.ctrlKey && !e.shiftKey) return 'redo';
    return null;
  }
  if (e.ctrlKey || e.metaKey) return null;
  switch (e.key) {
    case 'n':
    case 'N':
      return 'newClaim';
    case 's':
    case 'S':
      return 'addSupport';
    case 'a':
    case 'A':
      return 'addAttack';
    case 'u':
    case 'U':
      return 'addUndercut';
    case 'f':
    case 'F':
      return 'zoomToFit';
    case 'Delete':
    case 'Backspace':
      return 'delete';
    case 'Enter':
      return e.shiftKey ? null : 'edit';
    case 'Escape':
      return 'escape';
    case 'ArrowUp':
      return 'moveUp';
    case 'ArrowDown':
      return 'moveDown';
    case 'ArrowLeft':
      return 'moveLeft';
    case 'ArrowRight':
      return 'moveRight';
    case '?':
      return 'help';
    case '/':
      return 'search';
    default:
      return null;
  }
}

/** Typing somewhere: an input, a textarea, a select or anything contenteditable. */
export function isTypingTarget(t: EventTarget | null): boolean {
  if (!(t instanceof HTMLElement)) return false;
  if (t.isContentEditable) return true;
  const tag = t.tagName;
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag !== 'INPUT') return false;
  const type = (t as HTMLInputElement).type;
  return !['button', 'checkbox', 'radio', 'range', 'submit', 'reset', 'color', 'file', 'image'].includes(type);
}

/**
 * Widgets with keys of their own (the outline tree, menus, dialogs): keys pressed inside them are
 * theirs. They stop the ones they handle; the rest (Mod+Z, ?) still reach the canvas.
 */
const OWN_KEYS = '[role="tree"], [role="menu"], [role="dialog"], [role="listbox"], [data-shortcuts="off"]';

const DIRECTION: Partial<Record<ShortcutId, Direction>> = { moveUp: 'up', moveDown: 'down', moveLeft: 'left', moveRight: 'right' };

/** Keys that would make something new on every auto-repeat; held down they act once. */
const NO_REPEAT = new Set<ShortcutId>([
  'newClaim',
  'addSupport',
  'addAttack',
  'addUndercut',
  'delete',
  'help',
  'zoomToFit',
  'search',
  'edit',
]);

export function runShortcut(id: ShortcutId, cmds: CanvasCommands): void {
  const dir = DIRECTION[id];
  if (dir) return cmds.moveSelection(dir);
  switch (id) {
    case 'newClaim':
      return void cmds.newClaim();
    case 'addSupport':
      return void cmds.addChild('supports');
    case 'addAttack':
      return void cmds.addChild('attacks');
    case 'addUndercut':
      return void cmds.addUndercut();
    case 'edit':
      return cmds.edit();
    case 'delete':
      return cmds.deleteSelection();
    case 'undo':
      return cmds.undo();
    case 'redo':
      return cmds.redo();
    case 'copy':
      return void cmds.copy();
    case 'paste':
      return void cmds.paste();
    case 'escape':
      return cmds.escape();
    case 'zoomToFit':
      return cmds.zoomToFit();
    case 'search':
      return cmds.focusSearch();
    case 'help':
      return cmds.toggleHelp();
  }
}

/**
 * Binds the shortcuts on the window while mounted. Keys typed into a field, or handled by a
 * widget with keys of its own, are left alone; so are copy and paste while text is selected on
 * the page or a field has focus, so ordinary text copy keeps working.
 */
export function useShortcuts(cmds: CanvasCommands, opts: { enabled?: boolean } = {}): void {
  const enabled = opts.enabled ?? true;
  useEffect(() => {
    if (!enabled) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.isComposing || isTypingTarget(e.target)) return;
      const inWidget = e.target instanceof Element && e.target.closest(OWN_KEYS) !== null;
      const id = matchShortcut(e);
      if (!id) return;
      if (inWidget && id !== 'undo' && id !== 'redo' && id !== 'help') return;
      e.preventDefault();
      // Ours alone: React Flow would otherwise also move a focused node with the arrows or
      // delete with Delete, through onNodesChange and without the undo origin.
      e.stopPropagation();
      if (e.repeat && NO_REPEAT.has(id)) return;
      runShortcut(id, cmds);
    };
    const textSelected = () => {
      const s = window.getSelection();
      return s !== null && !s.isCollapsed && s.toString().length > 0;
    };
    const onCopy = (e: ClipboardEvent) => {
      if (isTypingTarget(e.target) || textSelected() || !e.clipboardData) return;
      const text = cmds.copyText();
      if (!text) return;
      e.clipboardData.setData('text/plain', text);
      e.preventDefault();
    };
    const onPaste = (e: ClipboardEvent) => {
      if (cmds.readOnly || isTypingTarget(e.target) || !e.clipboardData) return;
      const text = e.clipboardData.getData('text/plain');
      if (!text) return;
      e.preventDefault();
      cmds.pasteText(text);
    };
    // Capture phase, so the canvas sees a shortcut before React Flow's own key handlers do.
    window.addEventListener('keydown', onKey, true);
    document.addEventListener('copy', onCopy);
    document.addEventListener('paste', onPaste);
    return () => {
      window.removeEventListener('keydown', onKey, true);
      document.removeEventListener('copy', onCopy);
      document.removeEventListener('paste', onPaste);
    };
  }, [cmds, enabled]);
}
