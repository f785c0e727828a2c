import type { InputHTMLAttributes } from 'react';

/** A labelled input with its error underneath, tied together for screen readers. */
export function Field({
  label,
  name,
  error,
  ...input
}: { label: string; name: string; error?: string } & InputHTMLAttributes<HTMLInputElement>) {
  const errId = `${name}-error`;
  return (
    <>
      <label>
        {label}
        <input name={name} aria-invalid={error ? true : undefined} aria-describedby={error ? errId : undefined} {...input} />
      </label>
      {error && (
        <p className="field-error" id={errId} data-testid={`error-${name}`}>
          {error}
        </p>
      )}
    </>
  );
}
