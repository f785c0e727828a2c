'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { VoteTallyDto, VoteTarget } from '@/lib/schemas/votes';
import { castVote, retractVote, talliesQuery, voteKeys } from '@/app/_lib/votes';
import { formErrors } from '../evidence/fieldErrors';
import { AGREEMENT_LABELS, IMPACT_LABELS, VOTE_VALUES, fixed1, votesWord } from './encoding';

const LABELS: Record<VoteTarget, readonly string[]> = { claim: AGREEMENT_LABELS, relation: IMPACT_LABELS };

/**
 * A 0–4 vote on a claim (agreement) or a relation (impact): five buttons with their words, the
 * caller's current vote pressed, and a retract button. Disabled, with the reason, when voting
 * is not allowed.
 */
export function VoteControl({
  debateId,
  kind,
  targetId,
  mine,
  disabledReason,
}: {
  debateId: string;
  kind: VoteTarget;
  targetId: string;
  mine: number | undefined;
  /** Why the caller may not vote now, or null when they may. */
  disabledReason: string | null;
}) {
  const qc = useQueryClient();
  const labels = LABELS[kind];
  const invalidate = () => qc.invalidateQueries({ queryKey: voteKeys.all(debateId) });
  const cast = useMutation({
    mutationFn: (value: number) => castVote(debateId, kind, targetId, value),
    onSuccess: (res) => {
      // The answer carries the new tally: show it at once, then refetch the scores it changes.
      qc.setQueryData(talliesQuery(debateId).queryKey, (prev) => {
        if (!prev) return prev;
        const same = (t: { targetKind: VoteTarget; targetId: string }) => t.targetKind === kind && t.targetId === targetId;
        return {
          tallies: [...prev.tallies.filter((t) => !same(t)), res.tally],
          mine: [...prev.mine.filter((v) => !same(v)), res.vote],
        };
      });
      return invalidate();
    },
  });
  const retract = useMutation({ mutationFn: () => retractVote(debateId, kind, targetId), onSuccess: invalidate });
  const busy = cast.isPending || retract.isPending;
  const error = formErrors(cast.error ?? retract.error, []).general;
  const what = kind === 'claim' ? 'How true is this claim?' : 'How much does this argument matter, if its premise holds?';
  return (
    <div className="vote-control" data-testid={`vote-${kind}`}>
      <p className="vote-question">{what}</p>
      <div role="group" aria-label={kind === 'claim' ? 'Your agreement vote' : 'Your impact vote'} className="vote-buttons">
        {VOTE_VALUES.map((v) => (
          <button
            key={v}
            type="button"
            className={`vote-button vote-${v}`}
            aria-pressed={mine === v}
            disabled={busy || disabledReason !== null}
            onClick={() => cast.mutate(v)}
            title={`${v} — ${labels[v]}`}
            data-testid={`vote-${kind}-${v}`}
          >
            <span className="vote-number">{v}</span>
            <span className="vote-word">{labels[v]}</span>
          </button>
        ))}
      </div>
      <p className="small" data-testid={`my-vote-${kind}`}>
        {mine === undefined ? (
          'You have not voted.'
        ) : (
          <>
            Your vote: <strong>{mine}</strong> ({labels[mine]}){' '}
            <button
              type="button"
              className="link-button"
              onClick={() => retract.mutate()}
              disabled={busy || disabledReason !== null}
              data-testid={`retract-${kind}`}
            >
              Retract
            </button>
          </>
        )}
      </p>
      {disabledReason && <p className="muted small">{disabledReason}</p>}
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

/** Count, mean and the distribution over 0–4 as bars with their numbers, and as a table for screen readers. */
export function TallyView({ kind, tally }: { kind: VoteTarget; tally: VoteTallyDto | undefined }) {
  const labels = LABELS[kind];
  const dist = tally?.distribution ?? VOTE_VALUES.map(() => 0);
  const max = Math.max(1, ...dist);
  const count = tally?.count ?? 0;
  return (
    <figure className="tally" data-testid={`tally-${kind}`} data-count={count}>
      <figcaption className="small" data-testid={`tally-${kind}-summary`}>
        {count === 0 ? 'No votes yet.' : `${votesWord(count)}, mean ${fixed1(tally!.mean)} of 4 (${labels[Math.round(tally!.mean)]})`}
      </figcaption>
      <table className="histogram" hidden={count === 0}>
        <thead className="visually-hidden">
          <tr>
            <th scope="col">Vote</th>
            <th scope="col">Votes</th>
          </tr>
        </thead>
        <tbody>
          {VOTE_VALUES.map((v) => (
            <tr key={v}>
              <th scope="row" title={labels[v]}>
                {v}
                <span className="visually-hidden"> ({labels[v]})</span>
              </th>
              <td>
                <span className="histogram-bar" aria-hidden="true" style={{ width: `${(dist[v]! / max) * 100}%` }} />
                <span className="histogram-count" data-testid={`tally-${kind}-${v}`}>
                  {dist[v]}
                </span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
