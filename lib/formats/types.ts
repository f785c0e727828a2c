import { z } from 'zod';
import { MAX_CLAIMS, claimIdSchema, claimSchema } from '../model/claim';
import { relationSchema } from '../model/relation';
import type { ArgumentGraph } from '../model/graph';

/**
 * The unit every import produces and every export consumes: one debate with its argument graph
 * and the bibliography behind it. Formats that carry less (Argdown, Kialo) fill the rest with
 * defaults; the JSON backup carries all of it plus votes and roles.
 */

/** Imports refuse bigger inputs before parsing, so a hostile upload costs one length check. */
export const MAX_INPUT_BYTES = 5 * 1024 * 1024;
/** The same ceiling the live document enforces (lib/model/claim.ts), checked while parsing. */
export const MAX_IMPORT_CLAIMS = MAX_CLAIMS;
export const MAX_TITLE = 200;
export const MAX_DESCRIPTION = 5000;

export const FORMAT_NAMES = ['argdown', 'aif', 'kialo', 'markdown', 'backup'] as const;
export type FormatName = (typeof FORMAT_NAMES)[number];

export const SOURCE_KINDS = ['paper', 'blog', 'news', 'dataset', 'talk', 'book', 'other'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

export const EVIDENCE_STANCES = ['supports', 'contradicts', 'context'] as const;
export type EvidenceStance = (typeof EVIDENCE_STANCES)[number];

/**
 * Only http(s) URLs are accepted: source links end up as clickable anchors in the UI, and a
 * `javascript:` URL smuggled in through an import must never get there.
 */
export function isWebUrl(url: string): boolean {
  if (url.length > 2048 || /\s/.test(url)) return false;
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

export const webUrlSchema = z.string().max(2048).refine(isWebUrl, 'url must be an absolute http(s) URL');

/** ISO 8601 date with optional month, day and time: `2023`, `2023-05`, `2023-05-01T10:00Z`. */
export const isoDateSchema = z
  .string()
  .max(40)
  .regex(/^\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/, 'publishedAt must be an ISO 8601 date');

export interface Source {
  id: string;
  url: string | null;
  title: string;
  authors: string[];
  publisher: string;
  /** ISO 8601 date (year, month or day precision), or null when unknown. */
  publishedAt: string | null;
  kind: SourceKind;
  notes: string;
}

export const sourceSchema = z.object({
  id: claimIdSchema,
  url: webUrlSchema.nullable(),
  title: z.string().max(500),
  authors: z.array(z.string().max(200)).max(50),
  publisher: z.string().max(200),
  publishedAt: isoDateSchema.nullable(),
  kind: z.enum(SOURCE_KINDS),
  notes: z.string().max(5000),
});

export interface Evidence {
  id: string;
  claimId: string;
  sourceId: string;
  stance: EvidenceStance;
  quote: string;
  /** Where in the source: page, section, timestamp. */
  locator: string;
  note: string;
}

export const evidenceSchema = z.object({
  id: claimIdSchema,
  claimId: claimIdSchema,
  sourceId: claimIdSchema,
  stance: z.enum(EVIDENCE_STANCES),
  quote: z.string().max(5000),
  locator: z.string().max(200),
  note: z.string().max(5000),
});

/**
 * A dialogue node (AIF L, YA or TA) that has no place in the argument graph. It is kept so an
 * import never silently loses who said what; `claimIds`/`relationIds` say what it anchors.
 */
export interface DialogueEntry {
  externalId: string;
  type: string;
  text: string;
  speaker: string | null;
  timestamp: string | null;
  claimIds: string[];
  relationIds: string[];
}

export const dialogueEntrySchema = z.object({
  externalId: z.string().max(200),
  type: z.string().max(20),
  text: z.string().max(10_000),
  speaker: z.string().max(200).nullable(),
  timestamp: z.string().max(100).nullable(),
  claimIds: z.array(claimIdSchema),
  relationIds: z.array(claimIdSchema),
});

/**
 * Where imported things came from. It lives on the bundle rather than on Claim/Relation so the
 * live document schema stays format-agnostic; exporters use it to write back what they read
 * (Argdown titles, AIF scheme names and rephrases).
 */
export interface Provenance {
  origin: 'argdown' | 'aif' | 'kialo';
  /** Per claim: its id in the source format (Argdown title, AIF nodeID, Kialo number). */
  claims: Record<string, { externalId: string }>;
  /**
   * Per relation: its id in the source (Argdown argument title, AIF S-node id), the scheme text
   * (e.g. an AIF RA node's "Argument From Expert Opinion"), and whether it was an AIF MA
   * (rephrase) node, which Crux represents as a `supports` relation.
   */
  relations: Record<string, { externalId: string; scheme: string; rephrase: boolean }>;
  dialogue: DialogueEntry[];
}

export const provenanceSchema = z.object({
  origin: z.enum(['argdown', 'aif', 'kialo']),
  claims: z.record(z.string(), z.object({ externalId: z.string().max(500) })),
  relations: z.record(z.string(), z.object({ externalId: z.string().max(500), scheme: z.string().max(500), rephrase: z.boolean() })),
  dialogue: z.array(dialogueEntrySchema),
});

export interface DebateBundle {
  title: string;
  description: string;
  graph: ArgumentGraph;
  sources: Source[];
  evidence: Evidence[];
  provenance?: Provenance;
}

export const graphSchema = z.object({
  claims: z.array(claimSchema).max(MAX_IMPORT_CLAIMS),
  relations: z.array(relationSchema),
});

export const debateBundleSchema = z.object({
  title: z.string().max(MAX_TITLE),
  description: z.string().max(MAX_DESCRIPTION),
  graph: graphSchema,
  sources: z.array(sourceSchema),
  evidence: z.array(evidenceSchema),
  provenance: provenanceSchema.optional(),
});

/**
 * An empty record without a prototype. Claim ids like `__proto__` or `constructor` are valid, so
 * maps keyed by them must not inherit anything.
 */
export function emptyRecord<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/** Own-property lookup, for the same reason. */
export function ownValue<T>(record: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return record !== undefined && Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined;
}

/** A recoverable oddity in the input: the import went on, and this says what it changed. */
export interface FormatWarning {
  /** 1-based line, for text formats. */
  line?: number;
  /** JSON path such as `$.nodes[3].type`, for JSON formats. */
  path?: string;
  message: string;
}

export interface ImportResult {
  bundle: DebateBundle;
  warnings: FormatWarning[];
}

/** What an export could not express in the target format is reported, not silently dropped. */
export interface ExportResult {
  text: string;
  warnings: FormatWarning[];
}

/** The one error every importer throws: the input is unusable, and this says where and why. */
export class FormatError extends Error {
  readonly format: FormatName;
  readonly line: number | undefined;
  readonly path: string | undefined;
  readonly reason: string;

  constructor(format: FormatName, reason: string, where: { line?: number; path?: string } = {}) {
    const at = where.line !== undefined ? ` at line ${where.line}` : where.path !== undefined ? ` at ${where.path}` : '';
    super(`${format}${at}: ${reason}`);
    this.name = 'FormatError';
    this.format = format;
    this.line = where.line;
    this.path = where.path;
    this.reason = reason;
  }
}

/** UTF-8 length without allocating a 5 MB buffer. */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

export function checkInputSize(format: FormatName, input: string, limit = MAX_INPUT_BYTES): void {
  // UTF-8 never uses fewer bytes than UTF-16 code units, so long strings fail before the count.
  const bytes = input.length > limit ? input.length : utf8Length(input);
  if (bytes > limit) {
    const mb = (n: number): string => (n / 1024 / 1024).toFixed(1).replace(/\.0$/, '');
    throw new FormatError(format, `input is ${(bytes / 1024 / 1024).toFixed(1)} MB; the limit is ${mb(limit)} MB`);
  }
}

export function tooManyClaims(format: FormatName, where: { line?: number; path?: string }): FormatError {
  return new FormatError(format, `more than ${MAX_IMPORT_CLAIMS} claims; split the debate before importing`, where);
}

/** `['nodes', 3, 'type']` → `$.nodes[3].type`. */
export function jsonPath(segments: readonly PropertyKey[]): string {
  let out = '$';
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (typeof s === 'string' && /^[A-Za-z_$][\w$]*$/.test(s)) out += `.${s}`;
    else out += `[${JSON.stringify(String(s))}]`;
  }
  return out;
}

export interface IntegrityIssue {
  path: string;
  message: string;
}

/**
 * Cross-reference checks a zod schema cannot express: unique ids, relations pointing at existing
 * claims (or, for undercuts, relations), evidence pointing at existing claims and sources.
 */
export function checkBundleIntegrity(bundle: DebateBundle, root: readonly PropertyKey[] = []): IntegrityIssue[] {
  const issues: IntegrityIssue[] = [];
  const claimIds = new Set<string>();
  bundle.graph.claims.forEach((c, i) => {
    if (claimIds.has(c.id)) issues.push({ path: jsonPath([...root, 'graph', 'claims', i, 'id']), message: `duplicate claim id ${c.id}` });
    claimIds.add(c.id);
  });
  const relIds = new Set<string>();
  bundle.graph.relations.forEach((r, i) => {
    if (relIds.has(r.id))
      issues.push({ path: jsonPath([...root, 'graph', 'relations', i, 'id']), message: `duplicate relation id ${r.id}` });
    relIds.add(r.id);
  });
  bundle.graph.relations.forEach((r, i) => {
    if (!claimIds.has(r.from))
      issues.push({ path: jsonPath([...root, 'graph', 'relations', i, 'from']), message: `unknown claim ${r.from}` });
    const targetOk = r.kind === 'undercuts' ? relIds.has(r.to) && r.to !== r.id : claimIds.has(r.to);
    if (!targetOk)
      issues.push({
        path: jsonPath([...root, 'graph', 'relations', i, 'to']),
        message: r.kind === 'undercuts' ? `unknown relation ${r.to}` : `unknown claim ${r.to}`,
      });
  });
  const sourceIds = new Set<string>();
  bundle.sources.forEach((s, i) => {
    if (sourceIds.has(s.id)) issues.push({ path: jsonPath([...root, 'sources', i, 'id']), message: `duplicate source id ${s.id}` });
    sourceIds.add(s.id);
  });
  const evidenceIds = new Set<string>();
  bundle.evidence.forEach((e, i) => {
    if (evidenceIds.has(e.id)) issues.push({ path: jsonPath([...root, 'evidence', i, 'id']), message: `duplicate evidence id ${e.id}` });
    evidenceIds.add(e.id);
    if (!claimIds.has(e.claimId))
      issues.push({ path: jsonPath([...root, 'evidence', i, 'claimId']), message: `unknown claim ${e.claimId}` });
    if (!sourceIds.has(e.sourceId))
      issues.push({ path: jsonPath([...root, 'evidence', i, 'sourceId']), message: `unknown source ${e.sourceId}` });
  });
  return issues;
}

/** Options every importer accepts: who the imported claims are attributed to, and when. */
export interface ImportOptions {
  author?: string;
  /** Milliseconds since the epoch for createdAt/updatedAt; defaults to 0 so imports are deterministic. */
  now?: number;
  /**
   * Input size limit in bytes, default MAX_INPUT_BYTES (5 MB). A lossless backup of a debate
   * near the 20,000-claim limit can be larger than that, so a restore may need to raise it.
   */
  maxInputBytes?: number;
}
