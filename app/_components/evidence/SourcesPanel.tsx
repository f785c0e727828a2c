'use client';

import { useEffect, useRef, useState } from 'react';
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { deleteSource, evidenceKeys, safeHref, sourcesQuery } from '@/app/_lib/evidence';
import { SOURCE_KINDS, type SourceDto, type SourceKind } from '@/lib/schemas/evidence';
import { formErrors } from './fieldErrors';
import { RatingInput } from './RatingInput';
import { KIND_LABEL, SourceEditor } from './SourceForm';
import { useDebounced } from './useDebounced';
import { useEvidencePermissions } from './useEvidencePermissions';

/** The debate's library of sources: search, filter by kind, add, edit, delete, rate; picking one highlights the claims it backs. */
export function SourcesPanel({
  debateId,
  selectedSourceId,
  onSelectSource,
}: {
  debateId: string;
  selectedSourceId: string | null;
  onSelectSource: (id: string | null) => void;
}) {
  const [q, setQ] = useState('');
  const [kind, setKind] = useState<SourceKind | ''>('');
  const filter = { q: useDebounced(q, 250), kind };
  const sources = useInfiniteQuery(sourcesQuery(debateId, filter));
  const [adding, setAdding] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const items = sources.data?.pages.flatMap((p) => p.items) ?? [];
  const perms = useEvidencePermissions(debateId);

  return (
    <section className="sources-panel" aria-label="Sources">
      <div className="panel-controls">
        <input
          type="search"
          value={q}
          onChange={(e) => setQ(e.target.value)}
          placeholder="Search sources"
          aria-label="Search sources"
          data-testid="source-search"
        />
        <select
          value={kind}
          onChange={(e) => setKind(e.target.value as SourceKind | '')}
          aria-label="Filter by kind"
          data-testid="source-kind-filter"
        >
          <option value="">All kinds</option>
          {SOURCE_KINDS.map((k) => (
            <option key={k} value={k}>
              {KIND_LABEL[k]}
            </option>
          ))}
        </select>
      </div>
      {adding ? (
        <SourceEditor
          debateId={debateId}
          onDone={(res) => {
            setAdding(false);
            if (res) {
              setNotice(res.created ? null : `That link is already in the library as “${res.source.title}”.`);
              onSelectSource(res.source.id);
            }
          }}
        />
      ) : (
        perms.canAdd && (
          <button type="button" onClick={() => setAdding(true)} data-testid="add-source">
            + Source
          </button>
        )
      )}
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      {sources.isError && <p role="alert">Could not load sources: {sources.error.message}</p>}
      <ul className="source-list">
        {items.map((s) => (
          <SourceItem
            key={s.id}
            debateId={debateId}
            source={s}
            selected={s.id === selectedSourceId}
            canEdit={perms.canEdit(s.addedBy)}
            canRate={perms.canRate}
            onSelect={() => onSelectSource(s.id === selectedSourceId ? null : s.id)}
          />
        ))}
      </ul>
      {sources.isSuccess && items.length === 0 && <p className="muted">{filter.q || kind ? 'No source matches.' : 'No sources yet.'}</p>}
      {sources.hasNextPage && (
        <button type="button" onClick={() => void sources.fetchNextPage()} disabled={sources.isFetchingNextPage}>
          {sources.isFetchingNextPage ? 'Loading…' : 'More sources'}
        </button>
      )}
    </section>
  );
}

function SourceItem({
  debateId,
  source,
  selected,
  onSelect,
  canEdit,
  canRate,
}: {
  debateId: string;
  source: SourceDto;
  selected: boolean;
  onSelect: () => void;
  canEdit: boolean;
  canRate: boolean;
}) {
  const qc = useQueryClient();
  const [editing, setEditing] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const ref = useRef<HTMLLIElement>(null);
  const remove = useMutation({
    mutationFn: () => deleteSource(debateId, source.id),
    onSuccess: () => qc.invalidateQueries({ queryKey: evidenceKeys.all(debateId) }),
  });
  // Picked from the canvas search: bring it into view.
  useEffect(() => {
    if (selected) ref.current?.scrollIntoView({ block: 'nearest' });
  }, [selected]);
  const href = safeHref(source.url);
  const meta = [KIND_LABEL[source.kind], source.authors.join(', '), source.publisher, source.publishedAt].filter(Boolean).join(' · ');
  const error = formErrors(remove.error, []).general;

  if (editing) return <SourceEditor debateId={debateId} source={source} onDone={() => setEditing(false)} />;
  return (
    <li ref={ref} className={`source-item${selected ? ' is-selected' : ''}`} data-testid="source-item" data-source-id={source.id}>
      <div className="source-head">
        <button
          type="button"
          className="source-title"
          onClick={onSelect}
          aria-pressed={selected}
          title="Highlight the claims this source backs"
        >
          {source.title}
        </button>
        {href && (
          <a href={href} target="_blank" rel="noopener noreferrer" className="source-link" aria-label={`Open ${source.title}`}>
            ↗
          </a>
        )}
      </div>
      {meta && <div className="muted small">{meta}</div>}
      {source.notes && <p className="source-notes">{source.notes}</p>}
      <div className="muted small" data-testid="source-cited">
        Cited {source.evidenceCount} time{source.evidenceCount === 1 ? '' : 's'}
        {source.addedByName && ` · added by ${source.addedByName}`}
      </div>
      <RatingInput debateId={debateId} source={source} readOnly={!canRate} />
      <div className="item-actions" hidden={!canEdit}>
        <button type="button" onClick={() => setEditing(true)} data-testid="source-edit">
          Edit
        </button>
        {confirming ? (
          <>
            <button type="button" className="danger" onClick={() => remove.mutate()} disabled={remove.isPending}>
              Delete source
            </button>
            <button type="button" onClick={() => setConfirming(false)}>
              Keep
            </button>
          </>
        ) : (
          <button type="button" onClick={() => setConfirming(true)}>
            Delete
          </button>
        )}
      </div>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </li>
  );
}
