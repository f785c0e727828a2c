'use client';

import { useEffect, useRef, type KeyboardEvent } from 'react';
import type { CanvasCommands } from './hooks/useCanvasCommands';
import { SHORTCUT_BY_ID, isMac, keyLabel, type ShortcutId } from './hooks/useShortcuts';

/**
 * Right-click menu on a claim or on the background, with the same actions as the shortcuts
 * (and their keys shown beside them). Keyboard: the first item has focus on open; Up/Down/Home/
 * End move, Enter or Space runs, Esc or Tab closes. A click outside closes it too.
 */

export type ContextMenuTarget =
  /** A claim; the canvas selects it before opening the menu, so actions apply to it. */
  | { type: 'node'; id: string }
  /** The background, with the flow position clicked (new claims and pastes go there). */
  | { type: 'pane'; at: { x: number; y: number } }
  /** A relation (an arrow); the canvas selects it before opening the menu. */
  | { type: 'edge'; id: string };

export interface ContextMenuProps {
  /** Screen position (clientX/clientY of the contextmenu event). */
  x: number;
  y: number;
  target: ContextMenuTarget;
  commands: CanvasCommands;
  onClose: () => void;
  /** Adds an "Open comments" item for claims. */
  onOpenComments?: (claimId: string) => void;
  canUndo?: boolean;
  canRedo?: boolean;
  /** Moderators: hide the claim from readers, or restore it (given: whether it is hidden now). */
  moderation?: { hidden: (claimId: string) => boolean; toggle: (claimId: string, hide: boolean) => void };
}

interface Item {
  label: string;
  shortcut?: ShortcutId;
  run: () => void;
  disabled?: boolean;
  danger?: boolean;
}

export function ContextMenu({
  x,
  y,
  target,
  commands,
  onClose,
  onOpenComments,
  canUndo = true,
  canRedo = true,
  moderation,
}: ContextMenuProps) {
  const ref = useRef<HTMLDivElement>(null);
  const ro = commands.readOnly;
  const items: Item[] =
    target.type === 'edge'
      ? [
          {
            label: 'Undercut this inference',
            shortcut: 'addUndercut',
            run: () => void commands.addUndercut(target.id),
            disabled: ro,
          },
          { label: 'Undo', shortcut: 'undo', run: () => commands.undo(), disabled: ro || !canUndo },
          { label: 'Delete', shortcut: 'delete', run: () => commands.deleteSelection(), disabled: ro, danger: true },
        ]
      : target.type === 'node'
        ? [
            { label: 'Edit text', shortcut: 'edit', run: () => commands.edit(target.id), disabled: ro },
            {
              label: 'Add supporting argument',
              shortcut: 'addSupport',
              run: () => void commands.addChild('supports', target.id),
              disabled: ro,
            },
            {
              label: 'Add attacking argument',
              shortcut: 'addAttack',
              run: () => void commands.addChild('attacks', target.id),
              disabled: ro,
            },
            ...(onOpenComments ? [{ label: 'Comments…', run: () => onOpenComments(target.id) }] : []),
            ...(moderation
              ? [
                  moderation.hidden(target.id)
                    ? { label: 'Restore for everyone', run: () => moderation.toggle(target.id, false) }
                    : { label: 'Hide from readers', run: () => moderation.toggle(target.id, true) },
                ]
              : []),
            { label: 'Copy', shortcut: 'copy', run: () => void commands.copy() },
            { label: 'Undo', shortcut: 'undo', run: () => commands.undo(), disabled: ro || !canUndo },
            { label: 'Redo', shortcut: 'redo', run: () => commands.redo(), disabled: ro || !canRedo },
            { label: 'Delete', shortcut: 'delete', run: () => commands.deleteSelection(), disabled: ro, danger: true },
          ]
        : [
            { label: 'New claim here', shortcut: 'newClaim', run: () => void commands.newClaim(target.at), disabled: ro },
            { label: 'Paste here', shortcut: 'paste', run: () => void commands.paste(target.at), disabled: ro },
            { label: 'Undo', shortcut: 'undo', run: () => commands.undo(), disabled: ro || !canUndo },
            { label: 'Redo', shortcut: 'redo', run: () => commands.redo(), disabled: ro || !canRedo },
            { label: 'Arrange map (keeps selected claims in place)', run: () => commands.autoLayout(), disabled: ro },
            { label: 'Zoom to fit', shortcut: 'zoomToFit', run: () => commands.zoomToFit() },
            { label: 'Keyboard shortcuts', shortcut: 'help', run: () => commands.toggleHelp() },
          ];

  // The parent re-renders on every document change; the latest onClose is read when needed, so
  // the effect below runs once and focus stays where the user moved it.
  const closeRef = useRef(onClose);
  useEffect(() => {
    closeRef.current = onClose;
  });
  useEffect(() => {
    const before = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    ref.current?.querySelector<HTMLElement>('[role="menuitem"]:not([aria-disabled="true"])')?.focus();
    const outside = (e: MouseEvent) => {
      if (ref.current && !ref.current.contains(e.target as Node)) closeRef.current();
    };
    const away = () => closeRef.current();
    document.addEventListener('mousedown', outside, true);
    window.addEventListener('blur', away);
    window.addEventListener('resize', away);
    return () => {
      document.removeEventListener('mousedown', outside, true);
      window.removeEventListener('blur', away);
      window.removeEventListener('resize', away);
      // Back to where the user was, unless an action moved focus (e.g. into an editor).
      if (ref.current?.contains(document.activeElement) || document.activeElement === document.body) before?.focus();
    };
  }, []);

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const all = [...(ref.current?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? [])];
    const enabled = all.filter((el) => el.getAttribute('aria-disabled') !== 'true');
    const i = enabled.indexOf(document.activeElement as HTMLElement);
    const go = (n: number) => enabled[(n + enabled.length) % enabled.length]?.focus();
    const handled = ['ArrowDown', 'ArrowUp', 'Home', 'End', 'Escape', 'Tab'];
    if (!handled.includes(e.key)) return;
    e.preventDefault();
    e.stopPropagation();
    if (e.key === 'ArrowDown') go(i + 1);
    else if (e.key === 'ArrowUp') go(i - 1);
    else if (e.key === 'Home') go(0);
    else if (e.key === 'End') go(enabled.length - 1);
    else onClose();
  };

  const mac = isMac();
  // Keep the menu on screen: open leftwards / upwards near the right and bottom edges.
  const left = typeof window !== 'undefined' ? Math.min(x, window.innerWidth - 290) : x;
  const top = typeof window !== 'undefined' ? Math.min(y, window.innerHeight - items.length * 34 - 16) : y;

  return (
    <div
      ref={ref}
      role="menu"
      aria-label={target.type === 'node' ? 'Claim actions' : 'Map actions'}
      data-testid="context-menu"
      onKeyDown={onKeyDown}
      onContextMenu={(e) => e.preventDefault()}
      style={{
        position: 'fixed',
        left: Math.max(4, left),
        top: Math.max(4, top),
        zIndex: 1500,
        minWidth: 240,
        background: 'var(--panel, #fff)',
        border: '1px solid var(--line, #dcdcd6)',
        borderRadius: 8,
        boxShadow: '0 6px 24px rgba(0,0,0,0.16)',
        padding: 4,
      }}
    >
      {items.map((it) => {
        const s = it.shortcut ? SHORTCUT_BY_ID.get(it.shortcut) : undefined;
        return (
          <button
            key={it.label}
            type="button"
            role="menuitem"
            tabIndex={-1}
            aria-disabled={it.disabled || undefined}
            aria-keyshortcuts={
              s ? s.keys.map((k) => k.map((p) => (p === 'Mod' ? (mac ? 'Meta' : 'Control') : p)).join('+')).join(' ') : undefined
            }
            onClick={() => {
              if (it.disabled) return;
              onClose();
              it.run();
            }}
            style={{
              display: 'flex',
              justifyContent: 'space-between',
              gap: '1.5rem',
              width: '100%',
              border: 'none',
              background: 'transparent',
              textAlign: 'left',
              padding: '0.35rem 0.6rem',
              borderRadius: 5,
              color: it.disabled ? 'var(--muted, #6b6b70)' : it.danger ? 'var(--danger, #d55e00)' : 'inherit',
              cursor: it.disabled ? 'default' : 'pointer',
            }}
          >
            <span>{it.label}</span>
            {s && <span style={{ color: 'var(--muted, #6b6b70)', fontSize: '0.8rem' }}>{keyLabel(s.keys[0]!, mac)}</span>}
          </button>
        );
      })}
    </div>
  );
}
