import { z } from 'zod';
import { CLAIM_KINDS, MAX_CLAIM_TEXT, claimIdSchema } from '../model/claim';
import { RELATION_KINDS } from '../model/relation';
import { commentSchema, type Comment } from '../model/comment';
import { PUBLIC_ROLES, ROLES, VISIBILITIES } from '../permissions';
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
 *   2  (older) the DebateBundle under `debate` + `graph`, plus `sourceRatings`,
 *      `votes.agreement` (per claim) and `votes.impact` (per relation), roles including
 *      `commenter`. Scores were fractions in [0, 1] (see below).
 *   3  (current) what a Crux server stores, without rounding: vote values are the 0–4 steps
 *      people pick, source ratings 1–5 stars, roles are Crux's (viewer, participant, moderator,
 *      owner); plus the debate's sharing settings, the comment threads of the document, the
 *      claims a moderator hid, and who added each source and piece of evidence.
 * Import parses JSON, reads `version`, migrates step by step up to the current version, then
 * validates the result with the current schema and cross-checks references. Every failure is a
 * FormatError naming the JSON path of the offending value.
 *
 * Version 1 and 2 scores are in [0, 1]: agreement 0 = fully disagree … 1 = fully agree; impact
 * 0 = irrelevant … 1 = decisive; source reliability 0 = not credible … 1 = fully credible. The
 * migration to 3 maps them onto the nearest step (value × 4, and 1 + reliability × 4).
 */

const FORMAT = 'backup' as const;
export const BACKUP_FORMAT_ID = 'crux-backup';
export const BACKUP_VERSION = 3;
/** A restore may be bigger than other imports: a 20,000-claim debate with its votes passes 5 MB. */
export const MAX_BACKUP_BYTES = 50 * 1024 * 1024;

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

/** Who added a source or a piece of evidence (an account id, or a label such as `seed:…`). */
const addedByFields = { addedBy: z.string().max(200).optional(), addedByName: z.string().max(200).optional() };
const voteValueSchema = z.number().int('vote values are whole steps 0–4').min(0).max(4);

export const backupV3Schema = z.object({
  format: z.literal(BACKUP_FORMAT_ID),
  version: z.literal(3),
  exportedAt: z.number().finite(),
  debate: z.object({
    title: z.string().max(MAX_TITLE),
    description: z.string().max(MAX_DESCRIPTION),
    visibility: z.enum(VISIBILITIES),
    publicRole: z.enum(PUBLIC_ROLES),
    locked: z.boolean(),
  }),
  graph: graphSchema,
  comments: z.array(commentSchema),
  hidden: z.array(claimIdSchema),
  sources: z.array(sourceSchema.extend(addedByFields)),
  evidence: z.array(evidenceSchema.extend(addedByFields)),
  provenance: provenanceSchema.optional(),
  sourceRatings: z.array(z.object({ sourceId: claimIdSchema, userId: userIdSchema, rating: z.number().int().min(1).max(5) })),
  votes: z.object({
    agreement: z.array(z.object({ claimId: claimIdSchema, userId: userIdSchema, value: voteValueSchema })),
    impact: z.array(z.object({ relationId: claimIdSchema, userId: userIdSchema, value: voteValueSchema })),
  }),
  roles: z.array(z.object({ userId: userIdSchema, role: z.enum(ROLES) })),
});
export type BackupV3 = z.infer<typeof backupV3Schema>;
export type Backup = BackupV3;

const V2_ROLE: Record<BackupRole, BackupV3['roles'][number]['role']> = {
  owner: 'owner',
  editor: 'participant',
  commenter: 'participant',
  viewer: 'viewer',
};

/**
 * v2 → v3: fractions become the nearest step, roles Crux's (a commenter needs a participant's
 * role to comment), and the settings v2 did not record get the defaults of a new personal debate.
 */
export function migrateV2ToV3(v2: BackupV2): BackupV3 {
  const step = (v: number): number => Math.round(v * 4);
  return {
    format: BACKUP_FORMAT_ID,
    version: 3,
    exportedAt: v2.exportedAt,
    debate: { ...v2.debate, visibility: 'private', publicRole: 'participant', locked: false },
    graph: v2.graph,
    comments: [],
    hidden: [],
    sources: v2.sources,
    evidence: v2.evidence,
    ...(v2.provenance ? { provenance: v2.provenance } : {}),
    sourceRatings: v2.sourceRatings.map((r) => ({ sourceId: r.sourceId, userId: r.userId, rating: 1 + step(r.reliability) })),
    votes: {
      agreement: v2.votes.agreement.map((v) => ({ ...v, value: step(v.value) })),
      impact: v2.votes.impact.map((v) => ({ ...v, value: step(v.value) })),
    },
    roles: v2.roles.map((r) => ({ userId: r.userId, role: V2_ROLE[r.role] })),
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
interface Referencing {
  debate: { title: string; description: string };
  graph: BackupV2['graph'];
  sources: BackupV2['sources'];
  evidence: BackupV2['evidence'];
  provenance?: BackupV2['provenance'];
  sourceRatings: { sourceId: string; userId: string }[];
  votes: { agreement: { claimId: string; userId: string }[]; impact: { relationId: string; userId: string }[] };
  roles: { userId: string }[];
}

function checkReferences(b: Referencing, mapPath: (path: string) => string): void {
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

export function toBundle(b: Referencing): DebateBundle {
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
  debate?: Partial<Omit<BackupV3['debate'], 'title' | 'description'>>;
  comments?: Comment[];
  hidden?: string[];
  /** Per source / evidence id: who added it. */
  addedBy?: ReadonlyMap<string, { addedBy: string; addedByName: string }>;
  sourceRatings?: BackupV3['sourceRatings'];
  votes?: Partial<BackupV3['votes']>;
  roles?: BackupV3['roles'];
}

/**
 * Assembles a current-version backup from a bundle and the debate's people-facing state. Keys
 * follow the schema's order, the order an import gives back, so a re-export is byte-identical.
 */
export function createBackup(bundle: DebateBundle, extras: BackupExtras, exportedAt: number): BackupV3 {
  const by = (id: string) => {
    const a = extras.addedBy?.get(id);
    return a ? { addedBy: a.addedBy, addedByName: a.addedByName } : {};
  };
  return {
    format: BACKUP_FORMAT_ID,
    version: 3,
    exportedAt,
    debate: {
      title: bundle.title,
      description: bundle.description,
      visibility: extras.debate?.visibility ?? 'private',
      publicRole: extras.debate?.publicRole ?? 'participant',
      locked: extras.debate?.locked ?? false,
    },
    graph: bundle.graph,
    comments: extras.comments ?? [],
    hidden: extras.hidden ?? [],
    sources: bundle.sources.map((s) => ({ ...s, ...by(s.id) })),
    evidence: bundle.evidence.map((e) => ({ ...e, ...by(e.id) })),
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
export function exportBackup(backup: BackupV3): ExportResult {
  return { text: `${JSON.stringify(backup)}\n`, warnings: [] };
}

export interface BackupImportResult {
  backup: BackupV3;
  bundle: DebateBundle;
  warnings: FormatWarning[];
}

/** Comment ids are unique, and a reply names a thread that is in the backup. */
function checkComments(b: BackupV3): void {
  const ids = new Set<string>();
  b.comments.forEach((c, i) => {
    if (ids.has(c.id)) throw new FormatError(FORMAT, `duplicate comment id ${c.id}`, { path: jsonPath(['comments', i, 'id']) });
    ids.add(c.id);
  });
  b.comments.forEach((c, i) => {
    if (c.parentId !== '' && !ids.has(c.parentId))
      throw new FormatError(FORMAT, `reply to unknown comment ${c.parentId}`, { path: jsonPath(['comments', i, 'parentId']) });
  });
  const claimIds = new Set(b.graph.claims.map((c) => c.id));
  b.hidden.forEach((id, i) => {
    if (!claimIds.has(id)) throw new FormatError(FORMAT, `unknown claim ${id}`, { path: jsonPath(['hidden', i]) });
  });
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

  // Each older version is validated as itself, so errors name paths in the file as written,
  // then migrated one step at a time.
  const warnings: FormatWarning[] = [];
  let current: unknown = doc;
  if (version === 1) {
    current = migrateV1ToV2(validate(backupV1Schema, current));
    warnings.push({ path: '$.version', message: 'migrated from backup version 1 (no tags, groups, impact votes or source ratings)' });
  }
  if (version <= 2) {
    const v2 = validate(backupV2Schema, current);
    checkReferences(v2, version === 1 ? v1Path : (p) => p);
    current = migrateV2ToV3(v2);
    warnings.push({
      path: '$.version',
      message: 'migrated from backup version 2 (scores rounded to vote steps, roles mapped to Crux roles, debate made private)',
    });
  }
  const backup = validate(backupV3Schema, current);
  if (version === 3) checkReferences(backup, (p) => p);
  checkComments(backup);
  return { backup, bundle: toBundle(backup), warnings };
}
