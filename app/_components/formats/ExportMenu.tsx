'use client';

import { useEffect, useRef, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import type { ArgumentGraph } from '@/lib/model/graph';
import type { ExportFormat } from '@/lib/schemas/formats';
import { strengthQuery, type StrengthParams } from '@/app/_lib/votes';
import { downloadBlob, downloadExport, mapSvg, pictureName, svgToPng } from '@/app/_lib/formats';
import styles from './formats.module.css';

type Item = { kind: 'file'; format: ExportFormat; label: string } | { kind: 'picture'; ext: 'svg' | 'png'; label: string };

const FILE_ITEMS: Item[] = [
  { kind: 'file', format: 'argdown', label: 'Argdown (.argdown)' },
  { kind: 'file', format: 'aif', label: 'AIF JSON (OVA, AIFdb)' },
  { kind: 'file', format: 'kialo', label: 'Kialo (text)' },
  { kind: 'file', format: 'markdown', label: 'Markdown outline' },
];
const PICTURES: Item[] = [
  { kind: 'picture', ext: 'svg', label: 'Picture (SVG)' },
  { kind: 'picture', ext: 'png', label: 'Picture (PNG)' },
];

/**
 * The debate's export menu. Files come from the server (GET /export); the pictures are drawn
 * here from the live map, as shown (positions and the strength scores on screen), so they need
 * no round trip and include edits not yet projected.
 */
export function ExportMenu({
  debateId,
  title,
  graph,
  strength = { semantics: 'dfquad', perspective: 'everyone' },
  canBackup,
}: {
  debateId: string;
  title: string;
  graph: ArgumentGraph;
  strength?: StrengthParams;
  /** lib/permissions 'debate.backup': moderators and owners. */
  canBackup: boolean;
}) {
  const qc = useQueryClient();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState('');
  const rootRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open) return;
    const onDown = (e: PointerEvent) => {
      if (rootRef.current && !rootRef.current.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('pointerdown', onDown);
    return () => document.removeEventListener('pointerdown', onDown);
  }, [open]);

  const items = [
    ...FILE_ITEMS,
    ...(canBackup ? [{ kind: 'file', format: 'backup', label: 'Full backup (JSON)' } as Item] : []),
    ...PICTURES,
  ];

  const run = async (item: Item) => {
    setOpen(false);
    setBusy(true);
    setMessage('');
    try {
      if (item.kind === 'file') {
        await downloadExport(debateId, item.format);
        return;
      }
      // Scores as on screen; a picture without them beats no picture.
      const scores = await qc
        // Only the two parameters: a caller may hand over its whole strength view.
        .fetchQuery(strengthQuery(debateId, { semantics: strength.semantics, perspective: strength.perspective }))
        .then((s) => s.scores)
        .catch(() => undefined);
      const { svg, width, height } = mapSvg(graph, scores, title);
      const blob = item.ext === 'svg' ? new Blob([svg], { type: 'image/svg+xml' }) : await svgToPng(svg, width, height);
      downloadBlob(blob, pictureName(title, item.ext));
      if (!scores) setMessage('Exported without strength scores (they could not be loaded).');
    } catch (e) {
      setMessage(`Export failed: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className={styles.menu} ref={rootRef}>
      <button
        type="button"
        aria-haspopup="menu"
        aria-expanded={open}
        onClick={() => setOpen((o) => !o)}
        onKeyDown={(e) => e.key === 'Escape' && setOpen(false)}
        disabled={busy}
        data-testid="export-menu"
      >
        {busy ? 'Exporting…' : 'Export'}
      </button>
      {open && (
        <ul className={styles.menuList} role="menu" onKeyDown={(e) => e.key === 'Escape' && setOpen(false)}>
          {items.map((item) => (
            <li key={item.label} role="none">
              <button
                type="button"
                role="menuitem"
                onClick={() => void run(item)}
                data-testid={`export-${item.kind === 'file' ? item.format : item.ext}`}
              >
                {item.label}
              </button>
            </li>
          ))}
          {!canBackup && (
            <li role="none" className={styles.menuNote}>
              A full backup (with votes) is for moderators.
            </li>
          )}
        </ul>
      )}
      {message && (
        <span role="status" className={styles.muted} style={{ marginLeft: '0.5rem' }}>
          {message}
        </span>
      )}
    </div>
  );
}
