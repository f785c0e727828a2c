import { ApiClientError } from '@/app/_lib/api';

/**
 * The API names the fields it refuses ("quote", "source.url", "authors.2"). A form shows each
 * message under its field and the rest, or an error without fields, in one alert.
 */
export interface FormErrors {
  /** The message for `name` (and its sub-paths, e.g. authors.2 under authors), if any. */
  field(name: string): string | undefined;
  /** What no shown field accounts for. */
  general: string | undefined;
}

export function formErrors(err: unknown, shown: readonly string[], prefix = ''): FormErrors {
  if (!err) return { field: () => undefined, general: undefined };
  if (!(err instanceof ApiClientError))
    return { field: () => undefined, general: err instanceof Error ? err.message : 'Something went wrong' };
  const matches = (f: string, name: string) => f === prefix + name || f.startsWith(`${prefix}${name}.`);
  const field = (name: string) => err.fields.find((f) => matches(f.field, name))?.message;
  const unshown = err.fields.filter((f) => !shown.some((name) => matches(f.field, name)));
  const general = err.fields.length === 0 ? err.message : unshown.length > 0 ? unshown.map((f) => f.message).join('; ') : undefined;
  return { field, general };
}
