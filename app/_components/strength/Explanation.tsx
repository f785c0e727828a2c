'use client';

import { useQuery } from '@tanstack/react-query';
import type { ArgumentExplanation } from '@/lib/scoring/explain';
import { explainQuery } from '@/app/_lib/votes';
import { fixed1, percent, points, votesWord } from './encoding';
import { StrengthBar } from './StrengthBar';

/** Why a claim has its score: its base score (votes, sources) and what each argument did to it. */
export function Explanation({
  debateId,
  semantics,
  perspective,
  claimId,
  claimText,
  onPickClaim,
}: {
  debateId: string;
  semantics: 'dfquad' | 'quadratic-energy';
  perspective: string;
  claimId: string;
  claimText: (id: string) => string;
  onPickClaim: (id: string) => void;
}) {
  const q = useQuery({ ...explainQuery(debateId, { semantics, perspective }, claimId), placeholderData: (prev) => prev });
  if (q.isPending) return <p className="muted small">Working out why…</p>;
  if (q.isError) return <p role="alert">Could not explain the score: {q.error.message}</p>;
  const e = q.data.explanation;
  if (e.claimId !== claimId) return <p className="muted small">Working out why…</p>;
  const b = e.base;
  return (
    <section className="explanation" aria-label="Why this score" data-testid="explanation">
      <h3>Why {percent(e.score)}</h3>
      <dl className="explain-base">
        <dt>Base score</dt>
        <dd data-testid="explain-base">
          <strong>{percent(b.score)}</strong>
        </dd>
        <dt>From votes</dt>
        <dd>
          {b.votes
            ? `${percent(b.fromVotes)}: mean ${fixed1(b.votes.mean)} of 4 from ${votesWord(b.votes.count)}`
            : `${percent(b.fromVotes)}: no agreement votes, so undecided`}
        </dd>
        <dt>From sources</dt>
        <dd>
          {b.credibility
            ? `${points(b.credibility.nudge)}: supporting sources rated ${fixed1(b.credibility.mean)} of 5 (${b.credibility.count} rating${b.credibility.count === 1 ? '' : 's'})`
            : 'no rated supporting sources'}
        </dd>
      </dl>
      {e.arguments.length === 0 ? (
        <p className="muted small">No arguments for or against it: its score is its base score.</p>
      ) : (
        <table className="explain-args" data-testid="explain-arguments">
          <caption className="small">What each argument did ({e.semantics === 'dfquad' ? 'DF-QuAD' : 'quadratic energy'})</caption>
          <thead>
            <tr>
              <th scope="col">Argument</th>
              <th scope="col">Moved it</th>
              <th scope="col">Without it</th>
            </tr>
          </thead>
          <tbody>
            {e.arguments.map((a) => (
              <ArgumentRow key={a.relationIds.join(',')} arg={a} claimText={claimText} onPickClaim={onPickClaim} />
            ))}
          </tbody>
        </table>
      )}
      {e.inCycle && <p className="muted small">This claim is on a cycle of arguments: its score is where repeated updates settle.</p>}
      {Math.abs(e.unexplained) >= 0.005 && <p className="muted small">{points(e.unexplained)} not attributed (cycle tolerance).</p>}
    </section>
  );
}

function ArgumentRow({
  arg: a,
  claimText,
  onPickClaim,
}: {
  arg: ArgumentExplanation;
  claimText: (id: string) => string;
  onPickClaim: (id: string) => void;
}) {
  const impact = a.impact ? `impact ${fixed1(a.impact.mean)} of 4 from ${votesWord(a.impact.count)}` : 'no impact votes: full weight';
  return (
    <tr data-testid="explain-argument" data-share={Math.round(a.share * 100)}>
      <td>
        <span className={`explain-kind explain-${a.kind}`}>{a.kind === 'supports' ? '+ supports' : '− attacks'}</span>
        {a.group && <span className="muted small"> (linked)</span>}
        <ul className="explain-premises">
          {a.premises.map((p) => (
            <li key={p.claimId}>
              <button type="button" className="link-button" onClick={() => onPickClaim(p.claimId)}>
                {claimText(p.claimId) || '(empty claim)'}
              </button>{' '}
              <StrengthBar score={p.score} label="Premise strength" />
            </li>
          ))}
        </ul>
        <span className="muted small">
          {impact}
          {a.undercut > 0 ? `; undercut takes ${percent(a.undercut)} of its weight` : ''}
        </span>
      </td>
      <td className={a.share >= 0 ? 'share-up' : 'share-down'}>{points(a.share)}</td>
      <td>{percent(a.scoreWithout)}</td>
    </tr>
  );
}
