import { z } from 'zod';
import { IMPORT_FORMATS, type ImportFormat } from '../formats/detect';
import { MAX_BACKUP_BYTES } from '../formats/backup';
import { MAX_INPUT_BYTES, type FormatWarning } from '../formats/types';
import { DEBATE_TITLE_MAX } from './debate';

/**
 * Import and export over HTTP: GET /api/debates/[id]/export and POST /api/import. The route
 * handlers parse with these schemas and the import dialog sends what they describe.
 */

export const EXPORT_FORMATS = ['argdown', 'aif', 'kialo', 'markdown', 'backup'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const exportQuerySchema = z.object({
  format: z.enum(EXPORT_FORMATS, `format must be one of ${EXPORT_FORMATS.join(', ')}`),
});

/** How big an import may be: 5 MB of text, or 50 MB for a backup restore (see lib/formats/backup.ts). */
export const importLimitOf = (format: ImportFormat): number => (format === 'backup' ? MAX_BACKUP_BYTES : MAX_INPUT_BYTES);
/** The largest request body /api/import reads before it knows the format. */
export const MAX_IMPORT_BODY_BYTES = MAX_BACKUP_BYTES + 64 * 1024;

/**
 * POST /api/import, as JSON, or as multipart with the same fields and the text as a `file`.
 * `format: 'auto'` guesses from the text (lib/formats/detect.ts). The text's size is checked
 * against importLimitOf(format) by the service, with a 413 that names the limit.
 */
export const importRequestSchema = z.object({
  format: z.enum([...IMPORT_FORMATS, 'auto'], `format must be auto or one of ${IMPORT_FORMATS.join(', ')}`).default('auto'),
  text: z.string('text is required').min(1, 'the file is empty'),
  /** Overrides the title the file carries. */
  title: z.string().trim().max(DEBATE_TITLE_MAX, `title must be at most ${DEBATE_TITLE_MAX} characters`).optional(),
  /** Import into this team (the caller needs a participant role in it). */
  teamId: z.string().min(1).max(64).optional(),
  /** The uploaded file's name, which helps the format guess. */
  fileName: z.string().max(300).optional(),
});
export type ImportRequest = z.input<typeof importRequestSchema>;

export const importQuerySchema = z.object({
  dryRun: z.enum(['0', '1', 'true', 'false']).optional(),
});

export interface ImportCounts {
  claims: number;
  relations: number;
  sources: number;
  evidence: number;
  comments: number;
  ratings: number;
  votes: number;
  roles: number;
}

/** A problem that stops the import: where (line of text, or JSON path) and why. */
export interface ImportProblem {
  line?: number;
  path?: string;
  message: string;
}

/** POST /api/import?dryRun=1: what would be created, without writing anything. */
export interface ImportPreviewDto {
  dryRun: true;
  format: ImportFormat;
  /** True when the text parsed: `errors` is then empty. */
  ok: boolean;
  title: string;
  counts: ImportCounts;
  warnings: FormatWarning[];
  errors: ImportProblem[];
}

/** POST /api/import: the new debate. */
export interface ImportResultDto {
  dryRun: false;
  format: ImportFormat;
  debate: { id: string; title: string };
  counts: ImportCounts;
  warnings: FormatWarning[];
  /** Backup restores: votes, ratings and roles of people who have no account here. */
  dropped: { votes: number; ratings: number; roles: number };
  /** Milliseconds spent parsing and writing, for the progress display and the logs. */
  timings: { parseMs: number; writeMs: number };
}
