import { percent, strengthColour } from './encoding';

/**
 * A strength in [0, 1] as a bar coloured on the diverging scale, with its percentage as text. A
 * meter for assistive technology; `label` names what is measured ("Strength", "Standing").
 */
export function StrengthBar({
  score,
  label = 'Strength',
  size = 'sm',
  testId,
  hideValue = false,
}: {
  score: number;
  label?: string;
  size?: 'sm' | 'lg';
  testId?: string;
  /** When the number is already shown large next to the bar. */
  hideValue?: boolean;
}) {
  const pct = Math.round(score * 100);
  return (
    <span
      className={`strength-bar strength-bar-${size}`}
      role="meter"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={pct}
      aria-valuetext={`${label} ${percent(score)}`}
      data-testid={testId}
      data-score={pct}
    >
      <span className="strength-track" aria-hidden="true">
        <span className="strength-fill" style={{ width: `${pct}%`, background: strengthColour(score) }} />
      </span>
      {!hideValue && (
        <span className="strength-value" aria-hidden="true">
          {percent(score)}
        </span>
      )}
    </span>
  );
}
