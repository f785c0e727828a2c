'use client';

import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { IMPORT_FORMATS, detectFormat, type ImportFormat } from '@/lib/formats/detect';
import type { ImportCounts, ImportPreviewDto } from '@/lib/schemas/formats';
import { ApiClientError } from '@/app/_lib/api';
import { myDebatesQuery, teamsQuery } from '@/app/_lib/account';
import { previewImport, runImport, type ImportInput, type UploadProgress } from '@/app/_lib/formats';
import styles from './formats.module.css';

const FORMAT_LABEL: Record<ImportFormat, string> = {
  argdown: 'Argdown',
  aif: 'AIF JSON (AIFdb, OVA3)',
  kialo: 'Kialo discussion export (text)',
  backup: 'Crux backup (JSON)',
};

const COUNT_LABEL: [keyof ImportCounts, string][] = [
  ['claims', 'claims'],
  ['relations', 'relations'],
  ['sources', 'sources'],
  ['evidence', 'evidence'],
  ['comments', 'comments'],
  ['votes', 'votes'],
  ['ratings', 'ratings'],
  ['roles', 'roles'],
];

/** Files past this are previewed only on request: each preview uploads the whole file again. */
const AUTO_PREVIEW_BYTES = 2 * 1024 * 1024;

const where = (p: { line?: number; path?: string }): string => (p.line !== undefined ? `line ${p.line}` : (p.path ?? ''));

function Progress({ progress }: { progress: UploadProgress | null }) {
  if (!progress) return null;
  if (progress.phase === 'processing' || progress.total === 0)
    return (
      <p>
        <progress className={styles.progress} aria-label="Processing on the server" data-testid="import-progress" />
        Processing on the server…
      </p>
    );
  const pct = Math.round((progress.loaded / progress.total) * 100);
  return (
    <p>
      <progress
        className={styles.progress}
        value={progress.loaded}
        max={progress.total}
        aria-label="Uploading"
        data-testid="import-progress"
      />
      Uploading… {pct}% ({(progress.loaded / 1024 / 1024).toFixed(1)} of {(progress.total / 1024 / 1024).toFixed(1)} MB)
    </p>
  );
}

/**
 * "Import…": a file or pasted text in Argdown, AIF, Kialo or a Crux backup becomes a new debate.
 * Every change of input asks the server for a dry run, which shows what would be created, the
 * warnings, and the errors with their line (or JSON path); Create sends it for real, with an
 * upload progress bar, and opens the new debate.
 */
export function ImportDialog() {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" onClick={() => setOpen(true)} data-testid="import-open">
        Import…
      </button>
      {open && <ImportForm onClose={() => setOpen(false)} />}
    </>
  );
}

function ImportForm({ onClose }: { onClose: () => void }) {
  const titleId = useId();
  const router = useRouter();
  const qc = useQueryClient();
  const teams = useQuery(teamsQuery());
  const startable = (teams.data?.items ?? []).filter((t) => t.role !== 'viewer');
  const [mode, setMode] = useState<'paste' | 'file'>('paste');
  const [file, setFile] = useState<File | null>(null);
  const [text, setText] = useState('');
  const [format, setFormat] = useState<ImportFormat | 'auto'>('auto');
  const [detected, setDetected] = useState<ImportFormat | null>(null);
  const [title, setTitle] = useState('');
  const [teamId, setTeamId] = useState('');
  const [preview, setPreview] = useState<ImportPreviewDto | null>(null);
  const [previewing, setPreviewing] = useState(false);
  const [error, setError] = useState<ApiClientError | Error | null>(null);
  const [progress, setProgress] = useState<UploadProgress | null>(null);
  const [creating, setCreating] = useState(false);
  const [previewTick, setPreviewTick] = useState(0);
  const textRef = useRef<HTMLTextAreaElement>(null);
  const fileRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    const before = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    textRef.current?.focus();
    return () => before?.focus();
  }, []);

  const hasInput = mode === 'file' ? file !== null : text.trim() !== '';
  const input = (): ImportInput => ({
    ...(mode === 'file' && file ? { file } : { text }),
    format,
    ...(title.trim() ? { title: title.trim() } : {}),
    ...(teamId ? { teamId } : {}),
  });

  // The format guess, from the first kilobytes only.
  useEffect(() => {
    let live = true;
    if (mode === 'file' && file)
      void file
        .slice(0, 4096)
        .text()
        .then((head) => live && setDetected(detectFormat(head, file.name)));
    else setDetected(text.trim() ? detectFormat(text) : null);
    return () => {
      live = false;
    };
  }, [mode, file, text]);

  // A dry run a moment after the input settles; a newer input cancels the older request.
  useEffect(() => {
    setPreview(null);
    setError(null);
    if (!hasInput) return;
    if (mode === 'file' && file && file.size > AUTO_PREVIEW_BYTES && previewTick === 0) return;
    const ctrl = new AbortController();
    const t = setTimeout(() => {
      setPreviewing(true);
      previewImport(input(), mode === 'file' ? setProgress : undefined, ctrl.signal)
        .then((p) => setPreview(p))
        .catch((e: unknown) => {
          if (!(e instanceof DOMException && e.name === 'AbortError')) setError(e instanceof Error ? e : new Error(String(e)));
        })
        .finally(() => {
          if (!ctrl.signal.aborted) {
            setPreviewing(false);
            setProgress(null);
          }
        });
    }, 400);
    return () => {
      clearTimeout(t);
      ctrl.abort();
    };
    // input() reads exactly these.
  }, [mode, file, text, format, title, teamId, previewTick]);

  const create = async () => {
    setCreating(true);
    setError(null);
    try {
      const res = await runImport(input(), setProgress);
      await qc.invalidateQueries({ queryKey: myDebatesQuery().queryKey });
      router.push(`/debates/${res.debate.id}`);
    } catch (e) {
      setError(e instanceof Error ? e : new Error(String(e)));
      setCreating(false);
      setProgress(null);
    }
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key === 'Escape' && !creating) {
      e.stopPropagation();
      onClose();
    }
  };

  const apiError = error instanceof ApiClientError ? error : null;
  const canCreate = hasInput && preview?.ok === true && !creating;

  return (
    <div className={styles.backdrop} onMouseDown={(e) => e.target === e.currentTarget && !creating && onClose()}>
      <div
        className={styles.dialog}
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        onKeyDown={onKeyDown}
        data-testid="import-dialog"
      >
        <h2 id={titleId}>Import a debate</h2>
        <p className={styles.muted}>
          Argdown, AIF JSON (AIFdb or OVA3), a Kialo discussion export, or a Crux backup. Up to 5 MB; a backup up to 50 MB.
        </p>
        <fieldset className={styles.row} style={{ border: 'none', padding: 0 }} aria-label="Source">
          <label>
            <input type="radio" name="import-mode" checked={mode === 'paste'} onChange={() => setMode('paste')} /> Paste text
          </label>
          <label>
            <input
              type="radio"
              name="import-mode"
              checked={mode === 'file'}
              onChange={() => setMode('file')}
              data-testid="import-mode-file"
            />{' '}
            Choose a file
          </label>
        </fieldset>
        {mode === 'paste' ? (
          <label>
            Text
            <textarea
              ref={textRef}
              className={styles.paste}
              value={text}
              onChange={(e) => setText(e.target.value)}
              spellCheck={false}
              placeholder={'1. The thesis\n1.1. Pro: a reason\n1.2. Con: an objection'}
              data-testid="import-text"
            />
          </label>
        ) : (
          <label>
            File
            <input
              ref={fileRef}
              type="file"
              accept=".argdown,.ad,.json,.txt,.md,text/plain,application/json"
              onChange={(e) => setFile(e.target.files?.[0] ?? null)}
              data-testid="import-file"
            />
          </label>
        )}
        <div className={styles.row}>
          <label>
            Format
            <select value={format} onChange={(e) => setFormat(e.target.value as ImportFormat | 'auto')} data-testid="import-format">
              <option value="auto">Detect{detected ? ` (${FORMAT_LABEL[detected]})` : ''}</option>
              {IMPORT_FORMATS.map((f) => (
                <option key={f} value={f}>
                  {FORMAT_LABEL[f]}
                </option>
              ))}
            </select>
          </label>
          <label>
            Title (optional)
            <input value={title} onChange={(e) => setTitle(e.target.value)} maxLength={200} placeholder="from the file" />
          </label>
          <label>
            Belongs to
            <select value={teamId} onChange={(e) => setTeamId(e.target.value)}>
              <option value="">me</option>
              {startable.map((t) => (
                <option key={t.id} value={t.id}>
                  team {t.name}
                </option>
              ))}
            </select>
          </label>
        </div>

        <section aria-live="polite" data-testid="import-preview">
          {previewing && !progress && <p className={styles.muted}>Checking…</p>}
          {mode === 'file' && file && file.size > AUTO_PREVIEW_BYTES && !preview && !previewing && (
            <button type="button" onClick={() => setPreviewTick((n) => n + 1)}>
              Check this {(file.size / 1024 / 1024).toFixed(1)} MB file
            </button>
          )}
          {preview?.ok && (
            <>
              <p>
                <strong>{preview.title}</strong> — {FORMAT_LABEL[preview.format]}. This will create:
              </p>
              <ul className={styles.counts} data-testid="import-counts">
                {COUNT_LABEL.filter(([k]) => preview.counts[k] > 0 || k === 'claims' || k === 'relations').map(([k, label]) => (
                  <li key={k} data-count={k}>
                    <strong>{preview.counts[k].toLocaleString()}</strong> {label}
                  </li>
                ))}
              </ul>
            </>
          )}
          {preview && preview.errors.length > 0 && (
            <>
              <p className={styles.errors}>This {FORMAT_LABEL[preview.format]} cannot be imported:</p>
              <ul className={`${styles.problems} ${styles.errors}`} data-testid="import-errors">
                {preview.errors.map((e, i) => (
                  <li key={i}>
                    {where(e) && <span className={styles.where}>{where(e)}:</span>} {e.message}
                  </li>
                ))}
              </ul>
            </>
          )}
          {preview && preview.warnings.length > 0 && (
            <details open={preview.warnings.length <= 5}>
              <summary>{preview.warnings.length} warnings</summary>
              <ul className={styles.problems} data-testid="import-warnings">
                {preview.warnings.map((w, i) => (
                  <li key={i}>
                    {where(w) && <span className={styles.where}>{where(w)}:</span>} {w.message}
                  </li>
                ))}
              </ul>
            </details>
          )}
          {error && (
            <div role="alert" className={styles.errors}>
              <p>{apiError?.status === 413 ? error.message : `Import failed: ${error.message}`}</p>
            </div>
          )}
          <Progress progress={progress} />
        </section>

        <div className={styles.actions}>
          <button type="button" onClick={onClose} disabled={creating}>
            Cancel
          </button>
          <button type="button" onClick={() => void create()} disabled={!canCreate} data-testid="import-create">
            {creating ? 'Creating…' : 'Create debate'}
          </button>
        </div>
      </div>
    </div>
  );
}
