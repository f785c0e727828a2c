import { z } from 'zod';
import { CLAIM_KINDS, MAX_CLAIM_TEXT, claimIdSchema } from '../model/claim';
import { RELATION_KINDS } from '../model/relation';
import { parseJson } from './json';
import {
  FormatError,
  MAX_DESCRIPTION,
  MAX_IMPORT_CLAIMS,
  MAX_TITLE,
  checkBundleIntegrity,
  checkInputSize,
  evidenceSchema,
  graphSchema,
  jsonPath,
  provenanceSchema,
  sourceSchema,
  tooManyClaims,
  type DebateBundle,
  type ExportResult,
  type FormatWarning,
  type ImportOptions,
} from './types';

/*
 * Crux's lossless JSON backup: everything needed to restore a debate — the graph, sources,
 * evidence, import provenance, and the people-facing state (source ratings, votes, roles).
 *
 * Versions:
 *   1  (older) flat: title/description/claims/relations at the top level, claims without tags,
 *      relations without co-premise groups, one `votes` list of claim agreement only, roles
 *      owner|editor|viewer.
 *   2  (current) the DebateBundle under `debate` + `graph`, plus `sourceRatings`,
 *      `votes.agreement` (per claim) and `votes.impact` (per relation), roles including
 *      `commenter`.
 * Import parses JSON, reads `version`, migrates step by step up to the current version, then
 * validates the result with the current schema and cross-checks references. Every failure is a
 * FormatError naming the JSON path of the offending value.
 *
 * All scores are in [0, 1]: agreement 0 = fully disagree … 1 = fully agree; impact 0 = irrelevant
 * … 1 = decisive; source reliability 0 = not credible … 1 = fully credible.
 */

const FORMAT = 'backup' as const;
export const BACKUP_FORMAT_ID = 'crux-backup';
export const BACKUP_VERSION = 2;

export const BACKUP_ROLES = ['owner', 'editor', 'commenter', 'viewer'] as const;
export type BackupRole = (typeof BACKUP_ROLES)[number];

const userIdSchema = z.string().min(1).max(200);
const unitScoreSchema = z.number().finite().min(0).max(1);

export const sourceRatingSchema = z.object({ sourceId: claimIdSchema, userId: userIdSchema, reliability: unitScoreSchema });
export const agreementVoteSchema = z.object({ claimId: claimIdSchema, userId: userIdSchema, value: unitScoreSchema });
export const impactVoteSchema = z.object({ relationId: claimIdSchema, userId: userIdSchema, value: unitScoreSchema });
export const roleAssignmentSchema = z.object({ userId: userIdSchema, role: z.enum(BACKUP_ROLES) });

export const backupV2Schema = z.object({
  format: z.literal(BACKUP_FORMAT_ID),
  version: z.literal(2),
  /** Milliseconds since the epoch. */
  exportedAt: z.number().finite(),
  debate: z.object({ title: z.string().max(MAX_TITLE), description: z.string().max(MAX_DESCRIPTION) }),
  graph: graphSchema,
  sources: z.array(sourceSchema),
  evidence: z.array(evidenceSchema),
  provenance: provenanceSchema.optional(),
  sourceRatings: z.array(sourceRatingSchema),
  votes: z.object({ agreement: z.array(agreementVoteSchema), impact: z.array(impactVoteSchema) }),
  roles: z.array(roleAssignmentSchema),
});
export type BackupV2 = z.infer<typeof backupV2Schema>;
export type Backup = BackupV2;

export const backupV1Schema = z.object({
  format: z.literal(BACKUP_FORMAT_ID),
  version: z.literal(1),
  exportedAt: z.number().finite(),
  title: z.string().max(MAX_TITLE),
  description: z.string().max(MAX_DESCRIPTION),
  claims: z.array(
    z.object({
      id: claimIdSchema,
      text: z.string().max(MAX_CLAIM_TEXT),
      kind: z.enum(CLAIM_KINDS),
      x: z.number().finite(),
      y: z.number().finite(),
      author: z.string().max(200),
      createdAt: z.number().finite(),
      updatedAt: z.number().finite(),
    }),
  ),
  relations: z.array(
    z.object({
      id: claimIdSchema,
      from: claimIdSchema,
      to: claimIdSchema,
      kind: z.enum(RELATION_KINDS),
      author: z.string().max(200),
      createdAt: z.number().finite(),
    }),
  ),
  sources: z.array(sourceSchema),
  evidence: z.array(evidenceSchema),
  votes: z.array(z.object({ claimId: claimIdSchema, userId: userIdSchema, agreement: unitScoreSchema })),
  roles: z.array(z.object({ userId: userIdSchema, role: z.enum(['owner', 'editor', 'viewer']) })),
});
export type BackupV1 = z.infer<typeof backupV1Schema>;

/** v1 → v2: claims gain empty tags, relations an empty group, votes move under `agreement`. */
export function migrateV1ToV2(v1: BackupV1): BackupV2 {
  return {
    format: BACKUP_FORMAT_ID,
    version: 2,
    exportedAt: v1.exportedAt,
    debate: { title: v1.title, description: v1.description },
    graph: {
      claims: v1.claims.map((c) => ({ ...c, tags: [] })),
      relations: v1.relations.map((r) => ({ ...r, group: '' })),
    },
    sources: v1.sources,
    evidence: v1.evidence,
    sourceRatings: [],
    votes: { agreement: v1.votes.map((v) => ({ claimId: v.claimId, userId: v.userId, value: v.agreement })), impact: [] },
    roles: v1.roles,
  };
}

function validate<T>(schema: z.ZodType<T>, value: unknown): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const more = r.error.issues.length > 1 ? ` (and ${r.error.issues.length - 1} more problems)` : '';
  throw new FormatError(FORMAT, `${issue.message}${more}`, { path: jsonPath(issue.path) });
}

/** A version-2 path as it reads in a migrated version-1 file, so errors point into the user's file. */
function v1Path(path: string): string {
  return path
    .replace(/^\$\.graph\.(claims|relations)/, '$.$1')
    .replace(/^\$\.votes\.agreement\[(\d+)\]\.value/, '$.votes[$1].agreement')
    .replace(/^\$\.votes\.agreement/, '$.votes');
}

/** References zod cannot see: every vote, rating and role must point at something that exists, once. */
function checkReferences(b: BackupV2, mapPath: (path: string) => string): void {
  const fail = (message: string, path: (string | number)[] | string): never => {
    throw new FormatError(FORMAT, message, { path: mapPath(typeof path === 'string' ? path : jsonPath(path)) });
  };
  const first = checkBundleIntegrity(toBundle(b))[0];
  if (first) fail(first.message, first.path);
  const claimIds = new Set(b.graph.claims.map((c) => c.id));
  const relationIds = new Set(b.graph.relations.map((r) => r.id));
  const sourceIds = new Set(b.sources.map((s) => s.id));
  const once = (seen: Set<string>, key: string, path: (string | number)[], what: string): void => {
    if (seen.has(key)) fail(`duplicate ${what}`, path);
    seen.add(key);
  };
  const ratingSeen = new Set<string>();
  b.sourceRatings.forEach((r, i) => {
    if (!sourceIds.has(r.sourceId)) fail(`unknown source ${r.sourceId}`, ['sourceRatings', i, 'sourceId']);
    once(ratingSeen, `${r.sourceId}\u0000${r.userId}`, ['sourceRatings', i], 'rating of this source by this user');
  });
  const agreeSeen = new Set<string>();
  b.votes.agreement.forEach((v, i) => {
    if (!claimIds.has(v.claimId)) fail(`unknown claim ${v.claimId}`, ['votes', 'agreement', i, 'claimId']);
    once(agreeSeen, `${v.claimId}\u0000${v.userId}`, ['votes', 'agreement', i], 'agreement vote by this user on this claim');
  });
  const impactSeen = new Set<string>();
  b.votes.impact.forEach((v, i) => {
    if (!relationIds.has(v.relationId)) fail(`unknown relation ${v.relationId}`, ['votes', 'impact', i, 'relationId']);
    once(impactSeen, `${v.relationId}\u0000${v.userId}`, ['votes', 'impact', i], 'impact vote by this user on this relation');
  });
  const roleSeen = new Set<string>();
  b.roles.forEach((r, i) => once(roleSeen, r.userId, ['roles', i, 'userId'], `role for user ${r.userId}`));
}

export function toBundle(b: BackupV2): DebateBundle {
  const bundle: DebateBundle = {
    title: b.debate.title,
    description: b.debate.description,
    graph: b.graph,
    sources: b.sources,
    evidence: b.evidence,
  };
  if (b.provenance) bundle.provenance = b.provenance;
  return bundle;
}

export interface BackupExtras {
  sourceRatings?: BackupV2['sourceRatings'];
  votes?: Partial<BackupV2['votes']>;
  roles?: BackupV2['roles'];
}

/**
 * Assembles a current-version backup from a bundle and the debate's people-facing state. Keys
 * follow the schema's order, the order an import gives back, so a re-export is byte-identical.
 */
export function createBackup(bundle: DebateBundle, extras: BackupExtras, exportedAt: number): BackupV2 {
  return {
    format: BACKUP_FORMAT_ID,
    version: 2,
    exportedAt,
    debate: { title: bundle.title, description: bundle.description },
    graph: bundle.graph,
    sources: bundle.sources,
    evidence: bundle.evidence,
    ...(bundle.provenance ? { provenance: bundle.provenance } : {}),
    sourceRatings: extras.sourceRatings ?? [],
    votes: { agreement: extras.votes?.agreement ?? [], impact: extras.votes?.impact ?? [] },
    roles: extras.roles ?? [],
  };
}

/**
 * Compact JSON: indentation would add about a third to the size, and a debate near the claim
 * limit is already close to the import size limit.
 */
export function exportBackup(backup: BackupV2): ExportResult {
  return { text: `${JSON.stringify(backup)}\n`, warnings: [] };
}

export interface BackupImportResult {
  backup: BackupV2;
  bundle: DebateBundle;
  warnings: FormatWarning[];
}

/** Parse → migrate → validate. Throws FormatError with the JSON path of the first problem. */
export function importBackup(input: string, options: Pick<ImportOptions, 'maxInputBytes'> = {}): BackupImportResult {
  checkInputSize(FORMAT, input, options.maxInputBytes);
  const doc = parseJson(FORMAT, input);
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new FormatError(FORMAT, 'expected a JSON object', { path: '$' });
  const obj = doc as Record<string, unknown>;
  if (obj.format !== BACKUP_FORMAT_ID)
    throw new FormatError(FORMAT, `not a Crux backup (format must be "${BACKUP_FORMAT_ID}")`, { path: '$.format' });
  const version = obj.version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1)
    throw new FormatError(FORMAT, 'version must be a positive integer', { path: '$.version' });
  if (version > BACKUP_VERSION)
    throw new FormatError(FORMAT, `backup version ${version} is newer than this Crux understands (${BACKUP_VERSION})`, {
      path: '$.version',
    });

  // The claim limit is checked before zod so the error says what to do rather than "too big".
  const claims = version === 1 ? obj.claims : (obj.graph as Record<string, unknown> | undefined)?.claims;
  if (Array.isArray(claims) && claims.length > MAX_IMPORT_CLAIMS)
    throw tooManyClaims(FORMAT, { path: version === 1 ? '$.claims' : '$.graph.claims' });

  const warnings: FormatWarning[] = [];
  let current: unknown = doc;
  if (version === 1) {
    current = migrateV1ToV2(validate(backupV1Schema, current));
    warnings.push({ path: '$.version', message: 'migrated from backup version 1 (no tags, groups, impact votes or source ratings)' });
  }
  const backup = validate(backupV2Schema, current);
  checkReferences(backup, version === 1 ? v1Path : (p) => p);
  return { backup, bundle: toBundle(backup), warnings };
}
