'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Phase } from '@/lib/permissions';
import type { Semantics } from '@/lib/scoring/types';
import type { DebateAccessState } from '@/app/_lib/access';
import { phaseKeys, phaseQuery, setPhase } from '@/app/_lib/phase';
import { voteKeys } from '@/app/_lib/votes';
import { formErrors } from '../evidence/fieldErrors';
import { SEMANTICS_LABEL, percent } from './encoding';
import { StrengthBar } from './StrengthBar';

const PHASE_LABEL: Record<Phase, string> = { open: 'Open', voting: 'Voting', closed: 'Closed' };

/** The moves a moderator is offered from each phase, in the order they usually happen. */
const MOVES: Record<Phase, { to: Phase; label: string }[]> = {
  open: [
    { to: 'voting', label: 'Start voting' },
    { to: 'closed', label: 'Close debate' },
  ],
  voting: [
    { to: 'closed', label: 'Close debate' },
    { to: 'open', label: 'Reopen the map' },
  ],
  closed: [{ to: 'open', label: 'Reopen' }],
};

/** The debate's phase, from the phase API when it answered, else from the access payload. */
export function useDebatePhase(debateId: string, access: DebateAccessState) {
  const q = useQuery(phaseQuery(debateId));
  const phase: Phase = q.data?.phase ?? access.access?.access.phase ?? 'open';
  return { phase, standing: q.data?.standing ?? null };
}

/** Toolbar: the phase as a labelled badge, and for moderators the buttons that move it. */
export function PhaseControl({
  debateId,
  access,
  semantics,
  thesis,
}: {
  debateId: string;
  access: DebateAccessState;
  /** Scores the standing recorded by a closing. */
  semantics: Semantics;
  /** The thesis's current standing, shown next to the phase. */
  thesis: { score: number } | null | undefined;
}) {
  const qc = useQueryClient();
  const { phase } = useDebatePhase(debateId, access);
  const move = useMutation({
    mutationFn: (to: Phase) => setPhase(debateId, { phase: to, semantics }),
    onSuccess: (data) => {
      qc.setQueryData(phaseKeys.current(debateId), data);
      return Promise.all([
        qc.invalidateQueries({ queryKey: phaseKeys.all(debateId) }),
        qc.invalidateQueries({ queryKey: ['debate', debateId, 'access'] }),
        qc.invalidateQueries({ queryKey: voteKeys.all(debateId) }),
      ]);
    },
  });
  const error = formErrors(move.error, []).general;
  return (
    <span className="phase-indicator" data-testid="phase-indicator">
      <span className="visually-hidden">Debate phase:</span>
      <span className={`phase-badge phase-${phase}`} data-testid="phase" data-phase={phase}>
        {PHASE_LABEL[phase]}
      </span>
      {thesis && (
        <span className="toolbar-standing" data-testid="toolbar-standing" title="The thesis's standing in the chosen perspective">
          Thesis <StrengthBar score={thesis.score} label="Thesis standing" />
        </span>
      )}
      {access.allows('debate.phase') &&
        MOVES[phase].map((m) => (
          <button
            key={m.to}
            type="button"
            onClick={() => move.mutate(m.to)}
            disabled={move.isPending}
            data-testid={`phase-to-${m.to}`}
            title={
              m.to === 'voting'
                ? 'Freeze the map; everyone can still vote'
                : m.to === 'closed'
                  ? 'Freeze the map and the votes, and record the final standing'
                  : 'Let participants edit the map again'
            }
          >
            {m.label}
          </button>
        ))}
      {error && (
        <span className="field-error" role="alert">
          {error}
        </span>
      )}
    </span>
  );
}

/** What the phase allows, under the toolbar; nothing while the debate is open. */
export function PhaseBanner({
  debateId,
  access,
  thesisText,
}: {
  debateId: string;
  access: DebateAccessState;
  thesisText: (claimId: string) => string;
}) {
  const { phase, standing } = useDebatePhase(debateId, access);
  if (phase === 'voting')
    return (
      <div className="banner banner-phase" role="note" data-testid="phase-banner" data-phase="voting">
        <strong>Voting phase:</strong> the map is frozen, votes are open.
      </div>
    );
  if (phase !== 'closed') return null;
  return (
    <div className="banner banner-closed" role="note" data-testid="phase-banner" data-phase="closed">
      <strong>Closed:</strong>{' '}
      {standing?.thesis ? (
        <>
          final standing <strong data-testid="final-standing">{percent(standing.thesis.score)}</strong> for “
          {thesisText(standing.thesis.claimId) || 'the thesis'}” ({SEMANTICS_LABEL[standing.semantics]}, {standing.voteCount} vote
          {standing.voteCount === 1 ? '' : 's'}, recorded {new Date(standing.closedAt).toLocaleString()} by {standing.closedBy.name}).
        </>
      ) : standing ? (
        <>final standing recorded {new Date(standing.closedAt).toLocaleString()}; the map had no thesis.</>
      ) : (
        <>the final standing is being recorded.</>
      )}{' '}
      The map and the votes are frozen.
    </div>
  );
}
