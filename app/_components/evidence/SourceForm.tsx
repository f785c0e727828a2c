'use client';

import { useId, useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { createSource, evidenceKeys, updateSource } from '@/app/_lib/evidence';
import {
  MAX_NOTES,
  MAX_PUBLISHER,
  MAX_SOURCE_TITLE,
  SOURCE_KINDS,
  type CreateSourceInput,
  type CreateSourceResult,
  type SourceDto,
  type SourceKind,
} from '@/lib/schemas/evidence';
import { formErrors } from './fieldErrors';

/** A source as the form edits it: plain strings, converted to the API's shape on submit. */
export interface SourceDraft {
  url: string;
  title: string;
  /** Names separated by semicolons: commas occur inside names ("Fu, Dan"). */
  authors: string;
  publisher: string;
  publishedAt: string;
  kind: SourceKind;
  notes: string;
}

export const EMPTY_SOURCE: SourceDraft = { url: '', title: '', authors: '', publisher: '', publishedAt: '', kind: 'other', notes: '' };

export const draftOf = (s: SourceDto): SourceDraft => ({
  url: s.url ?? '',
  title: s.title,
  authors: s.authors.join('; '),
  publisher: s.publisher,
  publishedAt: s.publishedAt ?? '',
  kind: s.kind,
  notes: s.notes,
});

export const inputOf = (d: SourceDraft): CreateSourceInput => ({
  url: d.url.trim() === '' ? null : d.url,
  title: d.title,
  authors: d.authors
    .split(';')
    .map((a) => a.trim())
    .filter(Boolean),
  publisher: d.publisher,
  publishedAt: d.publishedAt === '' ? null : d.publishedAt,
  kind: d.kind,
  notes: d.notes,
});

export const SOURCE_FIELDS = ['url', 'title', 'authors', 'publisher', 'publishedAt', 'kind', 'notes'] as const;

export const KIND_LABEL: Record<SourceKind, string> = {
  paper: 'Paper',
  blog: 'Blog post',
  news: 'News',
  dataset: 'Dataset',
  talk: 'Talk',
  book: 'Book',
  other: 'Other',
};

/** The source fields alone, so the evidence form can embed them for an inline new source. */
export function SourceFields({
  value,
  onChange,
  error,
}: {
  value: SourceDraft;
  onChange: (next: SourceDraft) => void;
  error: (field: (typeof SOURCE_FIELDS)[number]) => string | undefined;
}) {
  const id = useId();
  const set = <K extends keyof SourceDraft>(k: K, v: SourceDraft[K]) => onChange({ ...value, [k]: v });
  const err = (f: (typeof SOURCE_FIELDS)[number]) => {
    const m = error(f);
    return m ? (
      <p className="field-error" id={`${id}-${f}-err`} role="alert">
        {m}
      </p>
    ) : null;
  };
  const describedBy = (f: (typeof SOURCE_FIELDS)[number]) => (error(f) ? `${id}-${f}-err` : undefined);
  return (
    <>
      <label>
        Link (http or https)
        <input
          inputMode="url"
          value={value.url}
          onChange={(e) => set('url', e.target.value)}
          placeholder="https://…"
          name="url"
          aria-invalid={!!error('url')}
          aria-describedby={describedBy('url')}
          data-testid="source-url"
        />
      </label>
      {err('url')}
      <label>
        Title
        <input
          value={value.title}
          onChange={(e) => set('title', e.target.value)}
          maxLength={MAX_SOURCE_TITLE}
          name="title"
          aria-invalid={!!error('title')}
          aria-describedby={describedBy('title')}
          data-testid="source-title"
        />
      </label>
      {err('title')}
      <label>
        Authors (separate with ;)
        <input
          value={value.authors}
          onChange={(e) => set('authors', e.target.value)}
          name="authors"
          aria-describedby={describedBy('authors')}
        />
      </label>
      {err('authors')}
      <div className="form-row">
        <label>
          Kind
          <select value={value.kind} onChange={(e) => set('kind', e.target.value as SourceKind)} name="kind" data-testid="source-kind">
            {SOURCE_KINDS.map((k) => (
              <option key={k} value={k}>
                {KIND_LABEL[k]}
              </option>
            ))}
          </select>
        </label>
        <label>
          Published
          <input
            type="date"
            value={value.publishedAt}
            onChange={(e) => set('publishedAt', e.target.value)}
            name="publishedAt"
            aria-describedby={describedBy('publishedAt')}
          />
        </label>
      </div>
      {err('kind')}
      {err('publishedAt')}
      <label>
        Publisher
        <input value={value.publisher} onChange={(e) => set('publisher', e.target.value)} maxLength={MAX_PUBLISHER} name="publisher" />
      </label>
      {err('publisher')}
      <label>
        Notes
        <textarea value={value.notes} onChange={(e) => set('notes', e.target.value)} maxLength={MAX_NOTES} rows={2} name="notes" />
      </label>
      {err('notes')}
    </>
  );
}

/**
 * Adds a source to the library, or edits one. Adding a link the library already has selects
 * that source instead (the API answers 200 with it), and says so.
 */
export function SourceEditor({
  debateId,
  source,
  onDone,
}: {
  debateId: string;
  /** The source being edited; absent to add one. */
  source?: SourceDto;
  onDone: (result: { source: SourceDto; created: boolean } | null) => void;
}) {
  const qc = useQueryClient();
  const [draft, setDraft] = useState<SourceDraft>(source ? draftOf(source) : EMPTY_SOURCE);
  const save = useMutation({
    mutationFn: async (d: SourceDraft): Promise<CreateSourceResult> =>
      source ? { source: await updateSource(debateId, source.id, inputOf(d)), created: false } : createSource(debateId, inputOf(d)),
    onSuccess: async (res) => {
      await qc.invalidateQueries({ queryKey: evidenceKeys.all(debateId) });
      onDone(res);
    },
  });
  const errors = formErrors(save.error, SOURCE_FIELDS);
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate(draft);
  };
  return (
    <form className="form source-form" onSubmit={onSubmit} aria-label={source ? 'Edit source' : 'Add a source'} data-testid="source-form">
      <SourceFields value={draft} onChange={setDraft} error={errors.field} />
      {errors.general && (
        <p className="field-error" role="alert">
          {errors.general}
        </p>
      )}
      <div className="form-actions">
        <button type="submit" disabled={save.isPending} data-testid="source-save">
          {save.isPending ? 'Saving…' : source ? 'Save source' : 'Add source'}
        </button>
        <button type="button" onClick={() => onDone(null)}>
          Cancel
        </button>
      </div>
    </form>
  );
}
