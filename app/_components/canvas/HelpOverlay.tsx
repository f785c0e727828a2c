'use client';

import { useEffect, useId, useRef, type KeyboardEvent } from 'react';
import { SHORTCUTS, isMac, keyLabel, type Shortcut } from './hooks/useShortcuts';

const GROUPS: Shortcut['group'][] = ['Create', 'Edit', 'Move around', 'View'];

/**
 * Every keyboard shortcut, from the same table the key handler uses. A modal dialog: focus moves
 * to its close button on open and back to where it was on close; Esc, the button or a click on
 * the backdrop closes it; Tab stays inside.
 */
export function HelpOverlay({ open, onClose }: { open: boolean; onClose: () => void }) {
  const titleId = useId();
  const closeRef = useRef<HTMLButtonElement>(null);
  const dialogRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const before = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    closeRef.current?.focus();
    return () => before?.focus();
  }, [open]);
  if (!open) return null;
  const mac = isMac();

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key === 'Escape' || e.key === '?') {
      e.preventDefault();
      e.stopPropagation();
      onClose();
    } else if (e.key === 'Tab') {
      const focusable = dialogRef.current?.querySelectorAll<HTMLElement>('button, [href], [tabindex]:not([tabindex="-1"])');
      if (!focusable || focusable.length === 0) return;
      const first = focusable[0]!;
      const last = focusable[focusable.length - 1]!;
      if (e.shiftKey && document.activeElement === first) {
        e.preventDefault();
        last.focus();
      } else if (!e.shiftKey && document.activeElement === last) {
        e.preventDefault();
        first.focus();
      }
    }
  };

  return (
    <div
      onMouseDown={(e) => e.target === e.currentTarget && onClose()}
      style={{ position: 'fixed', inset: 0, background: 'rgba(0,0,0,0.35)', display: 'grid', placeItems: 'center', zIndex: 2000 }}
    >
      <div
        ref={dialogRef}
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        data-testid="help-overlay"
        onKeyDown={onKeyDown}
        style={{
          background: 'var(--panel, #fff)',
          color: 'var(--fg, #1c1c1e)',
          borderRadius: 12,
          padding: '1rem 1.25rem',
          width: 'min(640px, 92vw)',
          maxHeight: '85vh',
          overflow: 'auto',
          boxShadow: '0 10px 40px rgba(0,0,0,0.25)',
        }}
      >
        <div style={{ display: 'flex', alignItems: 'center', justifyContent: 'space-between', gap: '1rem' }}>
          <h2 id={titleId} style={{ margin: 0, fontSize: '1.1rem' }}>
            Keyboard shortcuts
          </h2>
          <button ref={closeRef} type="button" onClick={onClose}>
            Close
          </button>
        </div>
        <p style={{ margin: '0.4rem 0 0.8rem', color: 'var(--muted, #6b6b70)', fontSize: '0.85rem' }}>
          Shortcuts do nothing while you type in a field. Right-click a claim or the background for the same actions.
        </p>
        {GROUPS.map((g) => (
          <section key={g} aria-label={g}>
            <h3
              style={{
                fontSize: '0.8rem',
                textTransform: 'uppercase',
                letterSpacing: '0.06em',
                margin: '0.8rem 0 0.3rem',
                color: 'var(--muted, #6b6b70)',
              }}
            >
              {g}
            </h3>
            <dl style={{ display: 'grid', gridTemplateColumns: 'minmax(9rem, max-content) 1fr', gap: '0.3rem 1rem', margin: 0 }}>
              {SHORTCUTS.filter((s) => s.group === g).map((s) => (
                <div key={s.id} data-testid="help-shortcut" data-shortcut={s.id} style={{ display: 'contents' }}>
                  <dt style={{ margin: 0 }}>
                    {s.keys.map((k, i) => (
                      <span key={i}>
                        {i > 0 && <span style={{ color: 'var(--muted, #6b6b70)' }}> or </span>}
                        <kbd
                          style={{
                            fontFamily: 'inherit',
                            fontSize: '0.8rem',
                            border: '1px solid var(--line, #dcdcd6)',
                            borderRadius: 4,
                            padding: '0 0.3rem',
                            background: '#f7f7f5',
                          }}
                        >
                          {keyLabel(k, mac)}
                        </kbd>
                      </span>
                    ))}
                  </dt>
                  <dd style={{ margin: 0 }}>{s.label}</dd>
                </div>
              ))}
            </dl>
          </section>
        ))}
      </div>
    </div>
  );
}
