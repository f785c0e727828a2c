'use client';

import { useState, type FormEvent } from 'react';
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { addEvidence, claimEvidenceQuery, deleteEvidence, evidenceKeys, safeHref, sourcesQuery, updateEvidence } from '@/app/_lib/evidence';
import { MAX_EVIDENCE_NOTE, MAX_LOCATOR, MAX_QUOTE, STANCES, type EvidenceDto, type Stance } from '@/lib/schemas/evidence';
import { formErrors } from './fieldErrors';
import { EMPTY_SOURCE, SOURCE_FIELDS, SourceFields, inputOf, type SourceDraft } from './SourceForm';
import { useDebounced } from './useDebounced';
import { useEvidencePermissions } from './useEvidencePermissions';

export const STANCE_LABEL: Record<Stance, string> = { supports: 'Supports', contradicts: 'Contradicts', context: 'Context' };

/** The selected claim's evidence, quotes grouped by stance, and the form to add more. */
export function ClaimEvidencePanel({ debateId, claim }: { debateId: string; claim: { id: string; text: string } | null }) {
  if (!claim)
    return (
      <p className="muted" data-testid="evidence-empty">
        Select a claim on the map to see and add its evidence.
      </p>
    );
  return <ClaimEvidence key={claim.id} debateId={debateId} claim={claim} />;
}

function ClaimEvidence({ debateId, claim }: { debateId: string; claim: { id: string; text: string } }) {
  const evidence = useInfiniteQuery(claimEvidenceQuery(debateId, claim.id));
  const perms = useEvidencePermissions(debateId);
  const items = evidence.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <section
      className="claim-evidence-panel"
      aria-label="Evidence for the selected claim"
      data-testid="claim-evidence"
      data-claim-id={claim.id}
    >
      <p className="selected-claim">{claim.text || <em className="placeholder">(untitled claim)</em>}</p>
      {evidence.isPending && <p className="muted">Loading evidence…</p>}
      {evidence.isError && <p role="alert">Could not load evidence: {evidence.error.message}</p>}
      {STANCES.map((stance) => {
        const group = items.filter((e) => e.stance === stance);
        if (group.length === 0) return null;
        return (
          <div key={stance} className={`stance-group stance-${stance}`} data-testid={`evidence-group-${stance}`}>
            <h3>
              {STANCE_LABEL[stance]} <span className="muted">({group.length})</span>
            </h3>
            <ul className="evidence-list">
              {group.map((e) => (
                <EvidenceItem key={e.id} debateId={debateId} evidence={e} canEdit={perms.canEdit(e.addedBy)} />
              ))}
            </ul>
          </div>
        );
      })}
      {evidence.isSuccess && items.length === 0 && <p className="muted">No evidence yet.</p>}
      {evidence.hasNextPage && (
        <button type="button" onClick={() => void evidence.fetchNextPage()} disabled={evidence.isFetchingNextPage}>
          More evidence
        </button>
      )}
      {perms.canAdd && <AddEvidenceForm debateId={debateId} claimId={claim.id} />}
    </section>
  );
}

function EvidenceItem({ debateId, evidence: e, canEdit }: { debateId: string; evidence: EvidenceDto; canEdit: boolean }) {
  const qc = useQueryClient();
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState({ stance: e.stance, quote: e.quote, locator: e.locator, note: e.note });
  const invalidate = () => qc.invalidateQueries({ queryKey: evidenceKeys.all(debateId) });
  const save = useMutation({
    mutationFn: () => updateEvidence(debateId, e.id, draft),
    onSuccess: async () => {
      await invalidate();
      setEditing(false);
    },
  });
  const remove = useMutation({ mutationFn: () => deleteEvidence(debateId, e.id), onSuccess: invalidate });
  const href = safeHref(e.source.url);

  if (editing) {
    const errors = formErrors(save.error, ['stance', 'quote', 'locator', 'note']);
    const onSubmit = (ev: FormEvent) => {
      ev.preventDefault();
      save.mutate();
    };
    return (
      <li className="evidence-item">
        <form className="form" onSubmit={onSubmit} aria-label="Edit evidence">
          <StancePicker value={draft.stance} onChange={(stance) => setDraft({ ...draft, stance })} />
          <QuoteField value={draft.quote} onChange={(quote) => setDraft({ ...draft, quote })} error={errors.field('quote')} />
          <label>
            Where in the source
            <input value={draft.locator} onChange={(ev) => setDraft({ ...draft, locator: ev.target.value })} maxLength={MAX_LOCATOR} />
          </label>
          <label>
            Note
            <textarea
              value={draft.note}
              onChange={(ev) => setDraft({ ...draft, note: ev.target.value })}
              maxLength={MAX_EVIDENCE_NOTE}
              rows={2}
            />
          </label>
          {errors.general && (
            <p className="field-error" role="alert">
              {errors.general}
            </p>
          )}
          <div className="form-actions">
            <button type="submit" disabled={save.isPending}>
              Save
            </button>
            <button type="button" onClick={() => setEditing(false)}>
              Cancel
            </button>
          </div>
        </form>
      </li>
    );
  }
  const error = formErrors(remove.error, []).general;
  return (
    <li className="evidence-item" data-testid="evidence-item" data-evidence-id={e.id}>
      <blockquote className="quote" data-testid="evidence-quote">
        {e.quote}
      </blockquote>
      <div className="small">
        —{' '}
        {href ? (
          <a href={href} target="_blank" rel="noopener noreferrer">
            {e.source.title}
          </a>
        ) : (
          <span>{e.source.title}</span>
        )}
        {e.locator && <span className="muted">, {e.locator}</span>}
      </div>
      {e.note && <p className="evidence-note small">{e.note}</p>}
      <div className="item-actions">
        <span className="muted small">added by {e.addedByName || e.addedBy}</span>
        {canEdit && (
          <>
            <button type="button" onClick={() => setEditing(true)} data-testid="evidence-edit">
              Edit
            </button>
            <button type="button" onClick={() => remove.mutate()} disabled={remove.isPending} data-testid="evidence-remove">
              Remove
            </button>
          </>
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

function StancePicker({ value, onChange }: { value: Stance; onChange: (s: Stance) => void }) {
  return (
    <fieldset className="stance-picker">
      <legend>Stance</legend>
      {STANCES.map((s) => (
        <label key={s} className={value === s ? 'on' : ''}>
          <input type="radio" name="stance" value={s} checked={value === s} onChange={() => onChange(s)} data-testid={`stance-${s}`} />{' '}
          {STANCE_LABEL[s]}
        </label>
      ))}
    </fieldset>
  );
}

function QuoteField({ value, onChange, error }: { value: string; onChange: (v: string) => void; error: string | undefined }) {
  return (
    <>
      <label>
        Quote (the exact words)
        <textarea
          value={value}
          onChange={(e) => onChange(e.target.value)}
          maxLength={MAX_QUOTE}
          rows={3}
          aria-invalid={!!error}
          data-testid="evidence-quote-input"
        />
        <span className="muted small">
          {value.length} / {MAX_QUOTE}
        </span>
      </label>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </>
  );
}

const NEW_SOURCE = '__new__';

/** Attaches a quote: pick a library source (filterable), or describe a new one right here. */
function AddEvidenceForm({ debateId, claimId }: { debateId: string; claimId: string }) {
  const qc = useQueryClient();
  const [stance, setStance] = useState<Stance>('supports');
  const [quote, setQuote] = useState('');
  const [locator, setLocator] = useState('');
  const [note, setNote] = useState('');
  const [sourceFilter, setSourceFilter] = useState('');
  const [sourceId, setSourceId] = useState('');
  const [newSource, setNewSource] = useState<SourceDraft>(EMPTY_SOURCE);
  const q = useDebounced(sourceFilter, 250);
  const sources = useInfiniteQuery({ ...sourcesQuery(debateId, { q, kind: '' }), select: (d) => d.pages.flatMap((p) => p.items) });
  const creating = sourceId === NEW_SOURCE;
  const add = useMutation({
    mutationFn: () =>
      addEvidence(debateId, {
        claimId,
        stance,
        quote,
        locator,
        note,
        ...(creating ? { source: inputOf(newSource) } : sourceId ? { sourceId } : {}),
      }),
    onSuccess: async (ev) => {
      await qc.invalidateQueries({ queryKey: evidenceKeys.all(debateId) });
      setQuote('');
      setLocator('');
      setNote('');
      setNewSource(EMPTY_SOURCE);
      // The new (or deduplicated) source is now in the library: keep it picked for the next quote.
      setSourceId(ev.sourceId);
    },
  });
  const errors = formErrors(add.error, ['stance', 'quote', 'locator', 'note', 'sourceId', ...SOURCE_FIELDS.map((f) => `source.${f}`)]);
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    add.mutate();
  };
  const options = sources.data ?? [];
  return (
    <form className="form add-evidence" onSubmit={onSubmit} aria-label="Add evidence" data-testid="add-evidence-form">
      <h3>Add evidence</h3>
      <StancePicker value={stance} onChange={setStance} />
      <QuoteField value={quote} onChange={setQuote} error={errors.field('quote')} />
      <fieldset className="source-picker">
        <legend>Source</legend>
        <input
          type="search"
          value={sourceFilter}
          onChange={(e) => setSourceFilter(e.target.value)}
          placeholder="Find a source"
          aria-label="Find a source"
        />
        <select value={sourceId} onChange={(e) => setSourceId(e.target.value)} aria-label="Source" data-testid="evidence-source-select">
          <option value="">Choose a source…</option>
          {options.map((s) => (
            <option key={s.id} value={s.id}>
              {s.title}
            </option>
          ))}
          {sourceId && sourceId !== NEW_SOURCE && !options.some((s) => s.id === sourceId) && (
            <option value={sourceId}>(the source picked before)</option>
          )}
          <option value={NEW_SOURCE}>+ New source…</option>
        </select>
        {errors.field('sourceId') && (
          <p className="field-error" role="alert">
            {errors.field('sourceId')}
          </p>
        )}
        {creating && <SourceFields value={newSource} onChange={setNewSource} error={(f) => errors.field(`source.${f}`)} />}
      </fieldset>
      <label>
        Where in the source
        <input
          value={locator}
          onChange={(e) => setLocator(e.target.value)}
          maxLength={MAX_LOCATOR}
          placeholder="page, section, timestamp"
        />
      </label>
      <label>
        Note
        <textarea value={note} onChange={(e) => setNote(e.target.value)} maxLength={MAX_EVIDENCE_NOTE} rows={2} />
      </label>
      {errors.general && (
        <p className="field-error" role="alert">
          {errors.general}
        </p>
      )}
      <button type="submit" disabled={add.isPending} data-testid="add-evidence">
        {add.isPending ? 'Adding…' : 'Add evidence'}
      </button>
    </form>
  );
}
