'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { evidenceKeys, rateSource } from '@/app/_lib/evidence';
import type { SourceDto } from '@/lib/schemas/evidence';
import { formErrors } from './fieldErrors';

const STARS = [1, 2, 3, 4, 5] as const;

/** Credibility, 1–5: the mean and count of everyone's ratings, and the viewer's own (click it again to withdraw it). */
export function RatingInput({ debateId, source, readOnly = false }: { debateId: string; source: SourceDto; readOnly?: boolean }) {
  const qc = useQueryClient();
  const rate = useMutation({
    mutationFn: (rating: number | null) => rateSource(debateId, source.id, rating),
    onSuccess: () => qc.invalidateQueries({ queryKey: evidenceKeys.all(debateId) }),
  });
  const { mean, count, mine } = source.credibility;
  const error = formErrors(rate.error, []).general;
  return (
    <div className="rating" data-testid="source-rating">
      <span role="group" aria-label="Your credibility rating">
        {STARS.map((n) => (
          <button
            key={n}
            type="button"
            className={`star${mine !== null && n <= mine ? ' on' : ''}`}
            aria-label={`Rate ${n} of 5`}
            aria-pressed={mine === n}
            disabled={rate.isPending || readOnly}
            onClick={() => rate.mutate(mine === n ? null : n)}
          >
            ★
          </button>
        ))}
      </span>
      <span className="rating-summary" data-testid="rating-summary">
        {count === 0 ? 'not rated' : `${mean!.toFixed(1)} from ${count} rating${count === 1 ? '' : 's'}`}
      </span>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
