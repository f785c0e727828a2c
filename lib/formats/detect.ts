import type { FormatName } from './types';

/** The formats an import accepts; Markdown is an export only. */
export const IMPORT_FORMATS = ['argdown', 'aif', 'kialo', 'backup'] as const satisfies readonly FormatName[];
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

/**
 * Guesses the format of pasted or uploaded text from its first few kilobytes, so detecting a
 * 50 MB backup costs nothing. JSON is a Crux backup when it says so and AIF otherwise; text
 * whose first entry is numbered `1.` (after an optional `Discussion Title:` line) is Kialo;
 * anything else is read as Argdown, whose parser reports the line that does not fit. The user
 * can always override the guess.
 */
export function detectFormat(text: string, fileName?: string): ImportFormat {
  const name = fileName?.toLowerCase() ?? '';
  if (name.endsWith('.argdown') || name.endsWith('.ad')) return 'argdown';
  const head = text.slice(0, 4096).replace(/^\uFEFF/, '');
  const trimmed = head.trimStart();
  // `[` alone is no sign of JSON: Argdown statements open with `[Title]:`.
  if (trimmed.startsWith('{') || /^\[\s*[{\]]/.test(trimmed)) return /"format"\s*:\s*"crux-backup"/.test(head) ? 'backup' : 'aif';
  if (name.endsWith('.json')) return 'aif';
  for (const raw of head.split(/\r\n|\r|\n/)) {
    const line = raw.trim();
    if (line === '' || /^discussion title\s*:/i.test(line)) continue;
    return /^1\.\s+\S/.test(line) ? 'kialo' : 'argdown';
  }
  return 'argdown';
}
