import { fixed1, percent, points, votesWord } from './encoding';
import { StrengthBar } from './StrengthBar';

/**
 * The strength row of a claim node: bar with percentage, the agreement tally, and in compare
 * mode the difference to the other perspective. A thesis shows its standing large. Takes only
 * primitives so the memoised node re-renders only when a number changes.
 */
export function NodeStrength({
  thesis,
  score,
  count,
  mean,
  delta,
  cruxRank,
}: {
  thesis: boolean;
  score: number;
  count: number;
  mean: number;
  delta: number | undefined;
  cruxRank: number | undefined;
}) {
  const tally = count === 0 ? 'no votes' : `${votesWord(count)} · ${fixed1(mean)}/4`;
  return (
    <div
      className={`node-strength${thesis ? ' node-strength-thesis' : ''}`}
      data-testid="node-strength"
      data-score={Math.round(score * 100)}
    >
      {thesis && (
        <div className="thesis-standing-big" data-testid="thesis-standing-node">
          {percent(score)}
          <span className="small"> standing</span>
        </div>
      )}
      <StrengthBar score={score} label={thesis ? 'Standing' : 'Strength'} size={thesis ? 'lg' : 'sm'} hideValue={thesis} />
      <div
        className="node-tally"
        data-testid="node-tally"
        data-count={count}
        title="Agreement votes: count · mean on 0 (certainly false) to 4 (certainly true)"
      >
        {tally}
        {delta !== undefined && (
          <span
            className={`delta-badge${delta > 0.005 ? ' up' : delta < -0.005 ? ' down' : ''}`}
            data-testid="node-delta"
            title="Compared perspective minus this one"
          >
            {points(delta)}
          </span>
        )}
        {cruxRank !== undefined && (
          <span className="crux-badge" data-testid="node-crux" title="One of the top cruxes: polarised and influential on the thesis">
            crux #{cruxRank}
          </span>
        )}
      </div>
    </div>
  );
}
