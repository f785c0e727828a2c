'use client';

import { useId, useState, type KeyboardEvent } from 'react';
import { useQuery } from '@tanstack/react-query';
import { searchQuery } from '@/app/_lib/evidence';
import { useDebounced } from './useDebounced';

type Hit = { kind: 'claim'; id: string; label: string } | { kind: 'source'; id: string; label: string };

/**
 * The toolbar's search box: full-text search over the debate's claims and sources. Picking a
 * claim focuses it on the canvas; picking a source highlights the claims it backs.
 */
export function CanvasSearch({
  debateId,
  onPickClaim,
  onPickSource,
}: {
  debateId: string;
  onPickClaim: (claimId: string) => void;
  onPickSource: (sourceId: string) => void;
}) {
  const id = useId();
  const [text, setText] = useState('');
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const q = useDebounced(text.trim(), 150);
  const results = useQuery(searchQuery(debateId, q));
  const hits: Hit[] =
    q === ''
      ? []
      : [
          ...(results.data?.claims ?? []).map((c): Hit => ({ kind: 'claim', id: c.claimId, label: c.text || '(untitled claim)' })),
          ...(results.data?.sources ?? []).map((s): Hit => ({ kind: 'source', id: s.id, label: s.title })),
        ];
  const pick = (h: Hit) => {
    setOpen(false);
    if (h.kind === 'claim') onPickClaim(h.id);
    else onPickSource(h.id);
  };
  const onKey = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      setOpen(true);
      setActive((a) => Math.min(a + 1, hits.length - 1));
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      setActive((a) => Math.max(a - 1, 0));
    } else if (e.key === 'Enter' && hits[active]) {
      e.preventDefault();
      pick(hits[active]);
    } else if (e.key === 'Escape') {
      setOpen(false);
    }
  };
  const showList = open && q !== '';
  return (
    <div className="canvas-search">
      <input
        type="search"
        role="combobox"
        aria-expanded={showList}
        aria-controls={`${id}-list`}
        aria-activedescendant={showList && hits[active] ? `${id}-${active}` : undefined}
        aria-label="Search claims and sources"
        placeholder="Search claims and sources"
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          setActive(0);
          setOpen(true);
        }}
        onFocus={() => setOpen(true)}
        onBlur={() => setOpen(false)}
        onKeyDown={onKey}
        data-testid="canvas-search"
      />
      {showList && (
        <ul className="search-results" role="listbox" id={`${id}-list`}>
          {hits.map((h, i) => (
            <li
              key={`${h.kind}:${h.id}`}
              id={`${id}-${i}`}
              role="option"
              aria-selected={i === active}
              className={i === active ? 'active' : ''}
              // mousedown, not click: the input's blur would close the list before a click lands.
              onMouseDown={(e) => {
                e.preventDefault();
                pick(h);
              }}
              data-testid="search-result"
              data-kind={h.kind}
              data-id={h.id}
            >
              <span className="hit-text">
                <span className="hit-kind">{h.kind === 'claim' ? 'Claim' : 'Source'}</span> {h.label}
              </span>
            </li>
          ))}
          {results.isSuccess && hits.length === 0 && <li className="muted">No match</li>}
          {results.isError && <li role="alert">Search failed: {results.error.message}</li>}
        </ul>
      )}
    </div>
  );
}
