/*
 * Strings Postgres cannot store. A text column refuses the NUL character outright ("invalid byte
 * sequence for encoding UTF8: 0x00"), and a lone UTF-16 surrogate (half of a pair, e.g. "\ud800",
 * which JSON allows as an escape) is not Unicode at all: depending on the driver it fails the
 * same way or is silently replaced. Either would reach the database as a 500 or as text that is not
 * what was sent, so every request is checked for them before anything reads it, and refused with
 * a 400 naming the field.
 */

// A high surrogate not followed by a low one, or a low surrogate not preceded by a high one.
const UNPAIRED = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why this string cannot be stored, or null when it can; in a multi-line text, where. */
export function unstorable(s: string): string | null {
  const nul = s.indexOf('\u0000');
  if (nul >= 0) return `must not contain the NUL character (\\u0000)${where(s, nul)}`;
  const half = UNPAIRED.exec(s);
  if (half) return `must be valid Unicode: it holds half of a UTF-16 surrogate pair${where(s, half.index)}`;
  return null;
}

function where(s: string, at: number): string {
  if (!s.includes('\n')) return '';
  const before = s.slice(0, at);
  const line = before.split('\n').length;
  return ` (line ${line}, column ${at - before.lastIndexOf('\n')})`;
}

export interface StringIssue {
  field: string;
  message: string;
}

/**
 * The first string in a parsed JSON value (keys included) that cannot be stored, with its path
 * (`members.2.name`; `(body)` for the value itself). Iterative, so a deeply nested body cannot
 * exhaust the stack.
 */
export function findUnstorable(value: unknown, root = '(body)'): StringIssue | null {
  const stack: [unknown, string[]][] = [[value, []]];
  const name = (p: string[]) => (p.length === 0 ? root : p.join('.'));
  while (stack.length > 0) {
    const [v, p] = stack.pop()!;
    if (typeof v === 'string') {
      const why = unstorable(v);
      if (why) return { field: name(p), message: why };
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], [...p, String(i)]]);
    } else if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
        const why = unstorable(k);
        if (why) return { field: name([...p, k]), message: `field name ${why}` };
        stack.push([x, [...p, k]]);
      }
    }
  }
  return null;
}
