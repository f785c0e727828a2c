import { z } from 'zod';
import { claimIdSchema } from '../model/claim';
import { normalizeUrl, type NormalizeUrlFailure } from '../url';

/**
 * The sources library, evidence and credibility: request schemas (parsed by the route handlers,
 * typed into the client hooks) and response shapes. Schema failures are 400s naming the field;
 * checks that need the database (the claim exists, the source belongs to the debate) are 422s
 * from server/services.
 */

export const SOURCE_KINDS = ['paper', 'blog', 'news', 'dataset', 'talk', 'book', 'other'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

export const STANCES = ['supports', 'contradicts', 'context'] as const;
export type Stance = (typeof STANCES)[number];

export const MAX_QUOTE = 2000;
export const MAX_SOURCE_TITLE = 300;
export const MAX_AUTHORS = 20;
export const MAX_AUTHOR_NAME = 200;
export const MAX_PUBLISHER = 200;
export const MAX_NOTES = 5000;
export const MAX_LOCATOR = 300;
export const MAX_EVIDENCE_NOTE = 2000;
export const MAX_SEARCH_QUERY = 200;

/** Ids the server generates or the seed fixes; the same alphabet as claim ids. */
export const entityIdSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, 'id must be [A-Za-z0-9_-]');

const URL_MESSAGES: Record<NormalizeUrlFailure, string> = {
  empty: 'url is empty',
  'too-long': 'url is too long',
  'missing-scheme': 'url must start with http:// or https://',
  'invalid-url': 'url is not a valid web address',
  'unsupported-scheme': 'only http and https links are accepted',
  credentials: 'url must not contain a user name or password',
};

/** A link, normalised so that one article pasted twice is one source; '' or null means none. */
const sourceUrlSchema = z
  .string()
  .nullable()
  .transform((v, ctx) => {
    if (v === null || v.trim() === '') return null;
    const r = normalizeUrl(v);
    if (r.ok) return r.url;
    ctx.addIssue({ code: 'custom', message: URL_MESSAGES[r.reason] });
    return z.NEVER;
  });

const trimmed = (max: number, name: string) => z.string().trim().max(max, `${name} must be at most ${max} characters`);

const sourceFields = {
  url: sourceUrlSchema,
  title: trimmed(MAX_SOURCE_TITLE, 'title').min(1, 'title is required'),
  authors: z
    .array(trimmed(MAX_AUTHOR_NAME, 'an author name').min(1, 'author names must not be empty'))
    .max(MAX_AUTHORS, `at most ${MAX_AUTHORS} authors`),
  publisher: trimmed(MAX_PUBLISHER, 'publisher'),
  publishedAt: z.iso.date('publishedAt must be a date (YYYY-MM-DD)').nullable(),
  kind: z.enum(SOURCE_KINDS, `kind must be one of ${SOURCE_KINDS.join(', ')}`),
  notes: trimmed(MAX_NOTES, 'notes'),
};

/** POST /api/debates/[id]/sources, and the inline source of POST …/evidence. */
export const createSourceSchema = z.object({
  url: sourceFields.url.default(null),
  title: sourceFields.title,
  authors: sourceFields.authors.default([]),
  publisher: sourceFields.publisher.default(''),
  publishedAt: sourceFields.publishedAt.default(null),
  kind: sourceFields.kind.default('other'),
  notes: sourceFields.notes.default(''),
});
export type CreateSourceInput = z.input<typeof createSourceSchema>;
export type CreateSource = z.output<typeof createSourceSchema>;

const nonEmptyPatch = <T extends object>(o: T) => Object.values(o).some((v) => v !== undefined);

/** PATCH /api/debates/[id]/sources/[sourceId]: any subset of the fields. */
export const updateSourceSchema = z
  .object({
    url: sourceFields.url.optional(),
    title: sourceFields.title.optional(),
    authors: sourceFields.authors.optional(),
    publisher: sourceFields.publisher.optional(),
    publishedAt: sourceFields.publishedAt.optional(),
    kind: sourceFields.kind.optional(),
    notes: sourceFields.notes.optional(),
  })
  .refine(nonEmptyPatch, { message: 'nothing to change' });
export type UpdateSourceInput = z.input<typeof updateSourceSchema>;
export type UpdateSource = z.output<typeof updateSourceSchema>;

const limitSchema = (max: number, dflt: number) => z.coerce.number().int().min(1).max(max).default(dflt);

/** GET /api/debates/[id]/sources */
export const listSourcesQuerySchema = z.object({
  cursor: entityIdSchema.optional(),
  limit: limitSchema(100, 50),
  /** Case-insensitive substring of the title, an author, the publisher, the notes or the URL. */
  q: z.string().trim().max(MAX_SEARCH_QUERY).optional(),
  kind: z.enum(SOURCE_KINDS).optional(),
});
export type ListSourcesQuery = z.input<typeof listSourcesQuerySchema>;

/** PUT /api/debates/[id]/sources/[sourceId]/rating */
export const rateSourceSchema = z.object({
  rating: z
    .number('rating must be a whole number from 1 to 5')
    .int('rating must be a whole number from 1 to 5')
    .min(1, 'rating must be 1–5')
    .max(5, 'rating must be 1–5'),
});
export type RateSourceInput = z.input<typeof rateSourceSchema>;

const quoteSchema = z.string().trim().min(1, 'quote must not be empty').max(MAX_QUOTE, `quote must be at most ${MAX_QUOTE} characters`);

/**
 * POST /api/debates/[id]/evidence. The source is either picked (`sourceId`) or created inline
 * (`source`; a URL already in the library reuses that source).
 */
export const createEvidenceSchema = z
  .object({
    claimId: claimIdSchema,
    sourceId: entityIdSchema.optional(),
    source: createSourceSchema.optional(),
    stance: z.enum(STANCES, `stance must be one of ${STANCES.join(', ')}`),
    quote: quoteSchema,
    locator: trimmed(MAX_LOCATOR, 'locator').default(''),
    note: trimmed(MAX_EVIDENCE_NOTE, 'note').default(''),
  })
  .superRefine((v, ctx) => {
    if ((v.sourceId === undefined) === (v.source === undefined))
      ctx.addIssue({
        code: 'custom',
        path: ['sourceId'],
        message: 'pick a source or describe a new one (exactly one of sourceId and source)',
      });
  });
export type CreateEvidenceInput = z.input<typeof createEvidenceSchema>;
export type CreateEvidence = z.output<typeof createEvidenceSchema>;

/** PATCH /api/debates/[id]/evidence/[evidenceId] */
export const updateEvidenceSchema = z
  .object({
    stance: z.enum(STANCES).optional(),
    quote: quoteSchema.optional(),
    locator: trimmed(MAX_LOCATOR, 'locator').optional(),
    note: trimmed(MAX_EVIDENCE_NOTE, 'note').optional(),
  })
  .refine(nonEmptyPatch, { message: 'nothing to change' });
export type UpdateEvidenceInput = z.input<typeof updateEvidenceSchema>;
export type UpdateEvidence = z.output<typeof updateEvidenceSchema>;

/** GET /api/debates/[id]/evidence: a claim's evidence, a source's, or the whole debate's. */
export const listEvidenceQuerySchema = z.object({
  claimId: claimIdSchema.optional(),
  sourceId: entityIdSchema.optional(),
  cursor: entityIdSchema.optional(),
  limit: limitSchema(200, 100),
});
export type ListEvidenceQuery = z.input<typeof listEvidenceQuerySchema>;

/** GET /api/debates/[id]/search */
export const searchQuerySchema = z.object({
  q: z.string().trim().min(1, 'q must not be empty').max(MAX_SEARCH_QUERY, `q must be at most ${MAX_SEARCH_QUERY} characters`),
  limit: limitSchema(50, 10),
});
export type SearchQuery = z.input<typeof searchQuerySchema>;

export interface Page<T> {
  items: T[];
  /** Pass as `cursor` for the next page; null on the last. */
  nextCursor: string | null;
}

export interface SourceDto {
  id: string;
  debateId: string;
  url: string | null;
  title: string;
  authors: string[];
  publisher: string;
  /** YYYY-MM-DD */
  publishedAt: string | null;
  kind: SourceKind;
  notes: string;
  /** The adder's user id (authorship); addedByName is for display. */
  addedBy: string;
  addedByName: string;
  createdAt: string;
  updatedAt: string;
  credibility: { mean: number | null; count: number; mine: number | null };
  /** Evidence citing this source, on claims that are not deleted. */
  evidenceCount: number;
}

/** POST …/sources answers 201 with created: true, or 200 with the source the URL already names. */
export interface CreateSourceResult {
  source: SourceDto;
  created: boolean;
}

export interface EvidenceDto {
  id: string;
  debateId: string;
  claimId: string;
  sourceId: string;
  source: Pick<SourceDto, 'id' | 'title' | 'url' | 'kind' | 'publisher' | 'publishedAt' | 'authors'>;
  stance: Stance;
  quote: string;
  locator: string;
  note: string;
  addedBy: string;
  addedByName: string;
  createdAt: string;
  updatedAt: string;
}

export type StanceCounts = Record<Stance, number>;

/** GET /api/debates/[id]/evidence/summary: what the canvas needs for counters and highlights. */
export interface EvidenceSummary {
  /** Per claim with any evidence (deleted claims left out). */
  claims: Record<string, StanceCounts>;
  /** Per source: the claims it is cited on. */
  sources: Record<string, string[]>;
}

export interface SearchResults {
  claims: { claimId: string; text: string; kind: string; rank: number }[];
  sources: { id: string; title: string; authors: string[]; kind: SourceKind; rank: number }[];
}

/** Topics the evidence feature publishes on the debate's live channel. */
export const LIVE_TOPICS = {
  sources: 'sources',
  evidence: 'evidence',
  /** Claims were deleted or restored (the projection flipped `deleted`). */
  claims: 'claims',
  /** A moderator moved the debate to another phase (lib/schemas/phase.ts); a closing recorded a standing. */
  phase: 'phase',
  /** The live channel may have missed events (it reconnected): refetch everything. */
  all: '*',
} as const;
