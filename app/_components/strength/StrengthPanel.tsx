'use client';

import { useMemo } from 'react';
import type { ArgumentGraph } from '@/lib/model/graph';
import { can, type DenyReason, type Phase } from '@/lib/permissions';
import { SEMANTICS } from '@/lib/scoring/types';
import type { DebateAccessState } from '@/app/_lib/access';
import { Explanation } from './Explanation';
import { SEMANTICS_LABEL, percent, points, votesWord } from './encoding';
import { useDebatePhase } from './Phase';
import { StrengthBar } from './StrengthBar';
import type { StrengthView } from './useStrengthView';
import { TallyView, VoteControl } from './VoteControls';

const DENIED: Partial<Record<DenyReason, string>> = {
  'not-signed-in': 'Join as a guest or sign in to vote.',
  'phase-closed': 'The debate is closed: votes are final.',
  'debate-locked': 'A moderator locked the debate.',
  'role-too-low': 'Your role in this debate does not include voting.',
};

/**
 * Why the caller may not vote, from the same rules the server applies; null when they may. The
 * phase comes from the phase query, which a moderator's own change updates before access refetches.
 */
function voteDeniedReason(access: DebateAccessState, phase: Phase): string | null {
  const a = access.access;
  if (!a) return access.isPending ? 'Checking whether you may vote…' : null;
  const d = can(a.principal, { ...a.access, phase }, a.grants, 'vote.cast');
  return d.ok ? null : (DENIED[d.reason] ?? 'You may not vote in this debate.');
}

export interface StrengthPanelProps {
  view: StrengthView;
  access: DebateAccessState;
  graph: ArgumentGraph;
  claimId: string | null;
  relationId: string | null;
  /** Select one claim and bring it into view. */
  onFocusClaims: (ids: string[]) => void;
}

/** The Strength tab: scoring options, the thesis's standing, votes and explanation for the selection, and the comparison. */
export function StrengthPanel({ view, access, graph, claimId, relationId, onFocusClaims }: StrengthPanelProps) {
  const texts = useMemo(() => new Map(graph.claims.map((c) => [c.id, c.text])), [graph.claims]);
  const claimText = (id: string) => texts.get(id) ?? '';
  const relation = relationId ? graph.relations.find((r) => r.id === relationId) : undefined;
  const { phase } = useDebatePhase(view.debateId, access);
  const denied = voteDeniedReason(access, phase);
  const thesis = view.strength?.thesis;
  return (
    <section className="strength-panel" aria-label="Strength" data-testid="strength-panel">
      <ScoringControls view={view} />
      {view.error && <p role="alert">Could not load scores: {view.error.message}</p>}
      {thesis && (
        <div className="thesis-standing" data-testid="thesis-standing">
          <span className="small muted">Thesis standing ({view.labelOf(view.perspective)})</span>
          <button type="button" className="link-button" onClick={() => onFocusClaims([thesis.claimId])}>
            {claimText(thesis.claimId) || '(empty thesis)'}
          </button>
          <StrengthBar score={thesis.score} label="Thesis standing" size="lg" />
        </div>
      )}
      {relation ? (
        <div className="strength-target" data-testid="strength-relation" data-relation-id={relation.id}>
          <h3>
            Relation: {relation.kind}
            {relation.group && <span className="muted small"> (linked)</span>}
          </h3>
          <p className="small">
            “{claimText(relation.from) || '(empty claim)'}” {relation.kind}{' '}
            {relation.kind === 'undercuts' ? 'the inference of another relation' : `“${claimText(relation.to) || '(empty claim)'}”`}
          </p>
          <VoteControl
            debateId={view.debateId}
            kind="relation"
            targetId={relation.id}
            mine={view.mine('relation', relation.id)?.value}
            disabledReason={denied}
          />
          <TallyView kind="relation" tally={view.tally('relation', relation.id)} />
        </div>
      ) : claimId && texts.has(claimId) ? (
        <ClaimStrength view={view} claimId={claimId} claimText={claimText} denied={denied} onFocusClaims={onFocusClaims} />
      ) : (
        <p className="muted" data-testid="strength-empty">
          Select a claim to vote on it and see why it scores what it does, or a relation to rate its impact.
        </p>
      )}
      {view.compareWith && view.strength && view.compare && (
        <CompareTable view={view} claimText={claimText} onFocusClaims={onFocusClaims} />
      )}
    </section>
  );
}

function ClaimStrength({
  view,
  claimId,
  claimText,
  denied,
  onFocusClaims,
}: {
  view: StrengthView;
  claimId: string;
  claimText: (id: string) => string;
  denied: string | null;
  onFocusClaims: (ids: string[]) => void;
}) {
  const n = view.node(claimId);
  return (
    <div className="strength-target" data-testid="strength-claim" data-claim-id={claimId}>
      <p className="selected-claim">{claimText(claimId) || <em className="placeholder">(untitled claim)</em>}</p>
      {n.score !== undefined && <StrengthBar score={n.score} size="lg" testId="panel-strength" />}
      {n.delta !== undefined && view.compareWith && (
        <p className="small">
          {view.labelOf(view.compareWith)}: {percent(n.score! + n.delta)} ({points(n.delta)})
        </p>
      )}
      <VoteControl
        debateId={view.debateId}
        kind="claim"
        targetId={claimId}
        mine={view.mine('claim', claimId)?.value}
        disabledReason={denied}
      />
      <TallyView kind="claim" tally={view.tally('claim', claimId)} />
      <Explanation
        debateId={view.debateId}
        semantics={view.semantics}
        perspective={view.perspective}
        claimId={claimId}
        claimText={claimText}
        onPickClaim={(id) => onFocusClaims([id])}
      />
    </div>
  );
}

function ScoringControls({ view }: { view: StrengthView }) {
  return (
    <fieldset className="scoring-controls">
      <legend className="visually-hidden">Scoring</legend>
      <div className="segmented" role="radiogroup" aria-label="Semantics">
        {SEMANTICS.map((s) => (
          <label key={s} className={view.semantics === s ? 'on' : ''}>
            <input
              type="radio"
              name="semantics"
              checked={view.semantics === s}
              onChange={() => view.setSemantics(s)}
              data-testid={`semantics-${s}`}
            />
            {SEMANTICS_LABEL[s]}
          </label>
        ))}
      </div>
      <label>
        Perspective{' '}
        <select value={view.perspective} onChange={(e) => view.setPerspective(e.target.value)} data-testid="perspective">
          {view.perspectives.map((p) => (
            <option key={p.value} value={p.value}>
              {p.label}
            </option>
          ))}
        </select>
      </label>
      <label>
        Compare with{' '}
        <select value={view.compareWith ?? ''} onChange={(e) => view.setCompareWith(e.target.value || null)} data-testid="compare-with">
          <option value="">(no comparison)</option>
          {view.perspectives
            .filter((p) => p.value !== view.perspective)
            .map((p) => (
              <option key={p.value} value={p.value}>
                {p.label}
              </option>
            ))}
        </select>
      </label>
    </fieldset>
  );
}

/** Two perspectives side by side: every scored claim, largest disagreement first. */
function CompareTable({
  view,
  claimText,
  onFocusClaims,
}: {
  view: StrengthView;
  claimText: (id: string) => string;
  onFocusClaims: (ids: string[]) => void;
}) {
  const a = view.strength!.scores;
  const b = view.compare!.scores;
  const rows = Object.keys(a)
    .filter((id) => b[id] !== undefined)
    .map((id) => ({ id, a: a[id]!, b: b[id]!, d: b[id]! - a[id]! }))
    .sort((x, y) => Math.abs(y.d) - Math.abs(x.d) || (x.id < y.id ? -1 : 1));
  const la = view.labelOf(view.perspective);
  const lb = view.labelOf(view.compareWith!);
  return (
    <table className="compare-table" data-testid="compare-table">
      <caption>
        {la} vs {lb}
      </caption>
      <thead>
        <tr>
          <th scope="col">Claim</th>
          <th scope="col">{la}</th>
          <th scope="col">{lb}</th>
          <th scope="col">Δ</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.id} data-testid="compare-row" data-claim-id={r.id}>
            <th scope="row">
              <button type="button" className="link-button" onClick={() => onFocusClaims([r.id])}>
                {claimText(r.id) || '(empty claim)'}
              </button>
            </th>
            <td>{percent(r.a)}</td>
            <td>{percent(r.b)}</td>
            <td className={r.d > 0.005 ? 'share-up' : r.d < -0.005 ? 'share-down' : ''}>{points(r.d)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The Cruxes tab: the claims where changing minds would move the thesis most. */
export function CruxPanel({ view, graph, onFocusClaims }: Pick<StrengthPanelProps, 'view' | 'graph' | 'onFocusClaims'>) {
  const texts = useMemo(() => new Map(graph.claims.map((c) => [c.id, c.text])), [graph.claims]);
  const cruxes = view.cruxes;
  return (
    <section className="crux-panel" aria-label="Cruxes" data-testid="crux-panel">
      <p className="small muted">
        Claims people split over most, weighted by how much they move the thesis: polarisation (spread of the agreement votes) × confidence
        (more votes, more sure) × influence on the thesis.
      </p>
      {!view.strength?.thesis ? (
        <p className="muted">Cruxes are ranked against a thesis: this map has none.</p>
      ) : cruxes.length === 0 ? (
        <p className="muted" data-testid="crux-empty">
          No cruxes yet: they appear once people disagree in their votes on claims that bear on the thesis.
        </p>
      ) : (
        <>
          <button type="button" onClick={() => onFocusClaims(cruxes.map((c) => c.claimId))} data-testid="focus-cruxes">
            Focus all {cruxes.length} on the map
          </button>
          <ol className="crux-list">
            {cruxes.map((c, i) => (
              <li key={c.claimId} data-testid="crux" data-claim-id={c.claimId}>
                <button type="button" className="crux-pick" onClick={() => onFocusClaims([c.claimId])}>
                  <span className="crux-rank">#{i + 1}</span> {texts.get(c.claimId) || '(empty claim)'}
                </button>
                <StrengthBar score={c.score} />
                <p className="small">
                  Polarisation {percent(c.polarisation)} over {votesWord(c.voteCount)}; the thesis moves {c.influence.toFixed(2)} pts per pt
                  of its base score ({c.sensitivity >= 0 ? 'believing it raises the thesis' : 'believing it lowers the thesis'}).
                </p>
              </li>
            ))}
          </ol>
        </>
      )}
    </section>
  );
}
