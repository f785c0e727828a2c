import * as Y from 'yjs';
import { exportAif, importAif } from '../../lib/formats/aif';
import { exportArgdown, importArgdown } from '../../lib/formats/argdown';
import { createBackup, exportBackup, importBackup, type Backup } from '../../lib/formats/backup';
import { detectFormat, type ImportFormat } from '../../lib/formats/detect';
import { exportKialo, importKialo } from '../../lib/formats/kialo';
import { exportMarkdown } from '../../lib/formats/markdown';
import { slugify } from '../../lib/formats/text';
import { FormatError, utf8Length, type DebateBundle, type FormatWarning, type Source } from '../../lib/formats/types';
import { commentsMap, readComment, type Comment } from '../../lib/model/comment';
import { ensureRoots, newId, readGraph, validateDoc, writeGraph } from '../../lib/model/doc';
import { canTeam, type PublicRole, type Visibility } from '../../lib/permissions';
import { DEBATE_DESCRIPTION_MAX, DEBATE_TITLE_MAX } from '../../lib/schemas/debate';
import {
  importLimitOf,
  importRequestSchema,
  type ExportFormat,
  type ImportCounts,
  type ImportPreviewDto,
  type ImportRequest,
  type ImportResultDto,
} from '../../lib/schemas/formats';
import { normalizeUrl } from '../../lib/url';
import { asRole } from '../access/grants';
import { ApiError } from '../http/errors';
import { findUnstorable } from '../http/strings';
import { loadStoredDoc, readProjectedClaims } from '../projection/claims';
import type { EvidenceDeps } from './sources';
import { fromDate } from './sources';
import { strengthReport, type Viewer } from './strength';

/*
 * Import and export of whole debates ([formats]). The parsers and serialisers are pure
 * (lib/formats); this module reads a debate into a DebateBundle (document + sources + evidence,
 * and for backups ratings, votes, roles, comments and hidden claims) and writes a parsed one as a
 * NEW debate, everything in one database transaction.
 */

export type FormatDeps = EvidenceDeps;

const MB = (n: number): string => `${(n / 1024 / 1024).toFixed(1).replace(/\.0$/, '')} MB`;

// ---------------------------------------------------------------------------------------------
// Export

interface DebateContent {
  bundle: DebateBundle;
  warnings: FormatWarning[];
  row: { title: string; description: string; visibility: string; publicRole: string; locked: boolean; ownerUserId: string | null };
  comments: Comment[];
  addedBy: Map<string, { addedBy: string; addedByName: string }>;
}

/**
 * The document as it is now: the live room's when the debate is open somewhere (it holds
 * everything durable plus nothing that is not), else the stored one. Never loads a room.
 */
async function withDocument<T>(deps: FormatDeps, debateId: string, fn: (doc: Y.Doc) => T): Promise<T> {
  const room = await deps.rooms.peek(debateId)?.catch(() => undefined);
  if (room && !room.destroyed) return fn(room.doc);
  const doc = await loadStoredDoc(deps.db, debateId);
  try {
    return fn(doc);
  } finally {
    doc.destroy();
  }
}

async function readDebate(deps: FormatDeps, debateId: string): Promise<DebateContent> {
  const prisma = deps.db.prisma;
  const row = await prisma.debate.findUnique({
    where: { id: debateId },
    select: { title: true, description: true, visibility: true, publicRole: true, locked: true, ownerUserId: true },
  });
  if (!row) throw new ApiError('not_found', `debate ${debateId} not found`);
  const { graph, comments } = await withDocument(deps, debateId, (doc) => {
    const cs: Comment[] = [];
    commentsMap(doc).forEach((m, id) => {
      const c = readComment(id, m);
      if (c) cs.push(c);
    });
    return { graph: readGraph(doc), comments: cs };
  });
  const [sources, evidence] = await Promise.all([
    prisma.source.findMany({ where: { debateId }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] }),
    prisma.evidence.findMany({ where: { debateId }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] }),
  ]);
  const warnings: FormatWarning[] = [];
  const live = new Set(graph.claims.map((c) => c.id));
  // Evidence of a deleted claim stays in the database (an undo brings the claim back) but has
  // no claim to hang on in a file.
  const onLive = evidence.filter((e) => live.has(e.claimId));
  if (onLive.length < evidence.length)
    warnings.push({ message: `${evidence.length - onLive.length} pieces of evidence on deleted claims are not exported` });
  const addedBy = new Map<string, { addedBy: string; addedByName: string }>();
  for (const x of [...sources, ...onLive]) addedBy.set(x.id, { addedBy: x.addedBy, addedByName: x.addedByName });
  const bundle: DebateBundle = {
    title: row.title,
    description: row.description,
    graph,
    sources: sources.map((s): Source => ({
      id: s.id,
      url: s.url,
      title: s.title,
      authors: s.authors,
      publisher: s.publisher,
      publishedAt: fromDate(s.publishedAt),
      kind: s.kind,
      notes: s.notes,
    })),
    evidence: onLive.map((e) => ({
      id: e.id,
      claimId: e.claimId,
      sourceId: e.sourceId,
      stance: e.stance,
      quote: e.quote,
      locator: e.locator,
      note: e.note,
    })),
  };
  return { bundle, warnings, row, comments, addedBy };
}

async function backupOf(deps: FormatDeps, debateId: string, content: DebateContent, now: number): Promise<Backup> {
  const prisma = deps.db.prisma;
  const { bundle, row } = content;
  const [ratings, votes, members, hidden] = await Promise.all([
    prisma.sourceRating.findMany({ where: { source: { debateId } }, orderBy: [{ sourceId: 'asc' }, { userKey: 'asc' }] }),
    prisma.vote.findMany({ where: { debateId }, orderBy: [{ targetKind: 'asc' }, { targetId: 'asc' }, { userKey: 'asc' }] }),
    prisma.debateMember.findMany({ where: { debateId }, orderBy: { userId: 'asc' } }),
    prisma.hiddenClaim.findMany({ where: { debateId }, orderBy: { claimId: 'asc' } }),
  ]);
  const claimIds = new Set(bundle.graph.claims.map((c) => c.id));
  const relationIds = new Set(bundle.graph.relations.map((r) => r.id));
  const agreement = votes
    .filter((v) => v.targetKind === 'claim' && claimIds.has(v.targetId))
    .map((v) => ({ claimId: v.targetId, userId: v.userKey, value: v.value }));
  const impact = votes
    .filter((v) => v.targetKind === 'relation' && relationIds.has(v.targetId))
    .map((v) => ({ relationId: v.targetId, userId: v.userKey, value: v.value }));
  const skipped = votes.length - agreement.length - impact.length;
  if (skipped > 0) content.warnings.push({ message: `${skipped} votes on deleted claims or relations are not exported` });
  const roles: Backup['roles'] = [];
  if (row.ownerUserId) roles.push({ userId: row.ownerUserId, role: 'owner' });
  for (const m of members) {
    const role = asRole(m.role);
    if (role && m.userId !== row.ownerUserId) roles.push({ userId: m.userId, role });
  }
  // Comments whose text is empty cannot be written by any client; they would fail the restore.
  const comments = content.comments.filter((c) => c.text.length > 0);
  return createBackup(
    bundle,
    {
      debate: {
        visibility: row.visibility as Visibility,
        publicRole: (row.publicRole === 'viewer' ? 'viewer' : 'participant') satisfies PublicRole,
        locked: row.locked,
      },
      comments,
      hidden: hidden.map((h) => h.claimId).filter((id) => claimIds.has(id)),
      addedBy: content.addedBy,
      sourceRatings: ratings.map((r) => ({ sourceId: r.sourceId, userId: r.userKey, rating: r.rating })),
      votes: { agreement, impact },
      roles,
    },
    now,
  );
}

export interface ExportedFile {
  text: string;
  fileName: string;
  contentType: string;
  warnings: FormatWarning[];
}

const FILE: Record<ExportFormat, { ext: string; contentType: string }> = {
  argdown: { ext: 'argdown', contentType: 'text/plain; charset=utf-8' },
  aif: { ext: 'aif.json', contentType: 'application/json; charset=utf-8' },
  kialo: { ext: 'kialo.txt', contentType: 'text/plain; charset=utf-8' },
  markdown: { ext: 'md', contentType: 'text/markdown; charset=utf-8' },
  backup: { ext: 'crux-backup.json', contentType: 'application/json; charset=utf-8' },
};

/**
 * One debate in one format. Markdown carries the strength scores `viewer` may see (everyone's
 * votes together); a backup carries every vote, so its route asks for 'debate.backup'.
 */
export async function exportDebate(
  deps: FormatDeps,
  debateId: string,
  format: ExportFormat,
  opts: { viewer: Viewer; now?: number },
): Promise<ExportedFile> {
  const content = await readDebate(deps, debateId);
  let text: string;
  let warnings: FormatWarning[];
  if (format === 'backup') {
    const backup = await backupOf(deps, debateId, content, opts.now ?? Date.now());
    ({ text, warnings } = exportBackup(backup));
  } else if (format === 'markdown') {
    const report = await strengthReport(deps, debateId, { semantics: 'dfquad', perspective: 'everyone' }, opts.viewer);
    ({ text, warnings } = exportMarkdown(content.bundle, { scores: report.scores }));
  } else if (format === 'aif') ({ text, warnings } = exportAif(content.bundle));
  else if (format === 'kialo') ({ text, warnings } = exportKialo(content.bundle));
  else ({ text, warnings } = exportArgdown(content.bundle));
  const { ext, contentType } = FILE[format];
  return { text, fileName: `${slugify(content.row.title) || 'debate'}.${ext}`, contentType, warnings: [...content.warnings, ...warnings] };
}

// ---------------------------------------------------------------------------------------------
// Import

export interface Importer {
  userId: string;
  name: string;
}

export interface ImportOptions {
  dryRun: boolean;
  now?: number;
}

interface Parsed {
  format: ImportFormat;
  bundle: DebateBundle;
  backup: Backup | null;
  warnings: FormatWarning[];
}

function parse(format: ImportFormat, text: string, author: string, now: number): Parsed {
  const limit = importLimitOf(format);
  if (format === 'backup') {
    const r = importBackup(text, { maxInputBytes: limit });
    return { format, bundle: r.bundle, backup: r.backup, warnings: r.warnings };
  }
  const opts = { author, now, maxInputBytes: limit };
  const r = format === 'argdown' ? importArgdown(text, opts) : format === 'aif' ? importAif(text, opts) : importKialo(text, opts);
  return { format, bundle: r.bundle, backup: null, warnings: r.warnings };
}

/** The table keeps days: a year or a month is stored as its first day. */
const toDay = (iso: string | null): string | null =>
  iso === null ? null : iso.length === 4 ? `${iso}-01-01` : iso.length === 7 ? `${iso}-01` : iso.slice(0, 10);

/** The database's limit on a quote (Evidence_quote_check), tighter than the file formats'. */
const MAX_QUOTE = 2000;

/** Rows per multi-row INSERT of sources: 11 parameters each stays far below Postgres' 65,535. */
const SOURCE_ROWS_PER_INSERT = 1000;

/** Everything one import writes, computed before the transaction opens. */
interface Plan {
  title: string;
  description: string;
  visibility: Visibility;
  publicRole: PublicRole;
  locked: boolean;
  snapshot: Uint8Array;
  claims: { claimId: string; text: string; kind: string }[];
  sources: {
    id: string;
    url: string | null;
    title: string;
    authors: string[];
    publisher: string;
    publishedAt: string | null;
    kind: Source['kind'];
    notes: string;
    addedBy: string;
    addedByName: string;
  }[];
  evidence: {
    id: string;
    claimId: string;
    sourceId: string;
    stance: 'supports' | 'contradicts' | 'context';
    quote: string;
    locator: string;
    note: string;
    addedBy: string;
    addedByName: string;
  }[];
  ratings: { sourceId: string; userKey: string; rating: number }[];
  votes: { id: string; targetKind: 'claim' | 'relation'; targetId: string; userKey: string; value: number }[];
  members: { userId: string; role: string }[];
  hidden: string[];
  counts: ImportCounts;
  dropped: ImportResultDto['dropped'];
}

async function existingUsers(deps: FormatDeps, ids: Set<string>): Promise<Set<string>> {
  const all = [...ids];
  const found = new Set<string>();
  for (let i = 0; i < all.length; i += 5000) {
    const rows = await deps.db.prisma.user.findMany({ where: { id: { in: all.slice(i, i + 5000) } }, select: { id: true } });
    for (const r of rows) found.add(r.id);
  }
  return found;
}

async function plan(deps: FormatDeps, who: Importer, parsed: Parsed, opts: { title?: string; team: boolean }): Promise<Plan> {
  const { bundle, backup, warnings } = parsed;
  let title = (opts.title ?? '').trim() || bundle.title.trim() || 'Imported debate';
  if (title.length > DEBATE_TITLE_MAX) {
    warnings.push({ message: `title cut to ${DEBATE_TITLE_MAX} characters` });
    title = title.slice(0, DEBATE_TITLE_MAX);
  }
  let description = bundle.description.trim();
  if (description.length > DEBATE_DESCRIPTION_MAX) {
    warnings.push({ message: `description cut to ${DEBATE_DESCRIPTION_MAX} characters` });
    description = description.slice(0, DEBATE_DESCRIPTION_MAX);
  }

  // The document, exactly as the sync server would hold it; the same validation a live update
  // gets decides whether it may be stored.
  const doc = new Y.Doc();
  let snapshot: Uint8Array;
  const claims: Plan['claims'] = [];
  try {
    ensureRoots(doc);
    writeGraph(doc, bundle.graph);
    if (backup && backup.comments.length > 0) {
      doc.transact(() => {
        const map = commentsMap(doc);
        for (const c of backup.comments) {
          const m = new Y.Map<unknown>();
          m.set('claimId', c.claimId);
          m.set('parentId', c.parentId);
          m.set('author', c.author);
          m.set('text', c.text);
          m.set('createdAt', c.createdAt);
          m.set('resolved', c.resolved);
          map.set(c.id, m);
        }
      });
    }
    const violation = validateDoc(doc)[0];
    if (violation)
      throw new ApiError('unprocessable', 'the imported map is not a valid document', [
        { field: 'text', message: `${violation.reason}${violation.id ? ` (${violation.id})` : ''}: ${violation.detail}` },
      ]);
    snapshot = new Uint8Array(Y.encodeStateAsUpdate(doc));
    // Projected from the document itself, exactly as the live projection would.
    for (const [claimId, c] of readProjectedClaims(doc)) claims.push({ claimId, text: c.text, kind: c.kind });
  } finally {
    doc.destroy();
  }

  // Sources: one row per normalised URL, as adding them by hand would give; new ids, since
  // source ids are global and the original debate may live in this same database.
  const sourceId = new Map<string, string>();
  const byUrl = new Map<string, string>();
  const sources: Plan['sources'] = [];
  const addedByOf = (x: { addedBy?: string; addedByName?: string }) => ({
    addedBy: x.addedBy ?? who.userId,
    addedByName: x.addedByName ?? who.name,
  });
  bundle.sources.forEach((s, i) => {
    let url: string | null = null;
    if (s.url !== null) {
      const n = normalizeUrl(s.url);
      if (n.ok) url = n.url;
      else warnings.push({ path: `$.sources[${i}].url`, message: `source "${s.title}": url dropped (${n.reason})` });
    }
    if (url !== null) {
      const same = byUrl.get(url);
      if (same !== undefined) {
        sourceId.set(s.id, same);
        warnings.push({ message: `source "${s.title}" has the same URL as an earlier one; they are merged` });
        return;
      }
    }
    const id = newId();
    sourceId.set(s.id, id);
    if (url !== null) byUrl.set(url, id);
    if (s.publishedAt !== null && s.publishedAt.length !== 10)
      warnings.push({ message: `source "${s.title}": publication date ${s.publishedAt} kept as a day` });
    sources.push({
      id,
      url,
      title: s.title,
      authors: s.authors,
      publisher: s.publisher,
      publishedAt: toDay(s.publishedAt),
      kind: s.kind,
      notes: s.notes,
      ...addedByOf(s as typeof s & { addedBy?: string; addedByName?: string }),
    });
  });
  // Crux evidence always quotes something; a bare link (Argdown, Kialo, AIF) quotes its own
  // label, which is the text the author attached to it.
  const titleOf = new Map(bundle.sources.map((s) => [s.id, s.title.trim() || s.url || 'linked source']));
  let unquoted = 0;
  let cut = 0;
  const evidence: Plan['evidence'] = bundle.evidence.map((e) => {
    let quote = e.quote.trim();
    if (quote === '') {
      unquoted++;
      quote = titleOf.get(e.sourceId) ?? 'linked source';
    }
    if (quote.length > MAX_QUOTE) {
      cut++;
      quote = quote.slice(0, MAX_QUOTE);
    }
    return {
      id: newId(),
      claimId: e.claimId,
      sourceId: sourceId.get(e.sourceId)!,
      stance: e.stance,
      quote,
      locator: e.locator,
      note: e.note,
      ...addedByOf(e as typeof e & { addedBy?: string; addedByName?: string }),
    };
  });
  if (unquoted > 0) warnings.push({ message: `${unquoted} source links have no quote; the link text is used as their quote` });
  if (cut > 0) warnings.push({ message: `${cut} quotes are longer than ${MAX_QUOTE} characters and were cut` });

  const dropped = { votes: 0, ratings: 0, roles: 0 };
  const ratings: Plan['ratings'] = [];
  const votes: Plan['votes'] = [];
  const members: Plan['members'] = [];
  const visibility: Visibility = backup
    ? backup.debate.visibility === 'team' && !opts.team
      ? 'private'
      : backup.debate.visibility
    : opts.team
      ? 'team'
      : 'private';
  if (backup && backup.debate.visibility === 'team' && !opts.team)
    warnings.push({ message: 'the debate was visible to its team; restored as private because it is not imported into a team' });

  if (backup) {
    // People are matched by account id: those with no account here lose their votes, ratings
    // and roles, and the counts say so.
    const people = new Set<string>();
    for (const r of backup.sourceRatings) people.add(r.userId);
    for (const v of backup.votes.agreement) people.add(v.userId);
    for (const v of backup.votes.impact) people.add(v.userId);
    for (const r of backup.roles) people.add(r.userId);
    const known = await existingUsers(deps, people);
    const ratingSeen = new Set<string>();
    for (const r of backup.sourceRatings) {
      const sid = sourceId.get(r.sourceId)!;
      const key = `${sid}\u0000${r.userId}`;
      if (!known.has(r.userId) || ratingSeen.has(key)) {
        dropped.ratings++;
        continue;
      }
      ratingSeen.add(key);
      ratings.push({ sourceId: sid, userKey: r.userId, rating: r.rating });
    }
    for (const v of backup.votes.agreement) {
      if (known.has(v.userId)) votes.push({ id: newId(), targetKind: 'claim', targetId: v.claimId, userKey: v.userId, value: v.value });
      else dropped.votes++;
    }
    for (const v of backup.votes.impact) {
      if (known.has(v.userId))
        votes.push({ id: newId(), targetKind: 'relation', targetId: v.relationId, userKey: v.userId, value: v.value });
      else dropped.votes++;
    }
    for (const r of backup.roles) {
      // The importer owns the copy; whoever owned the original moderates it, as after a transfer.
      if (r.userId === who.userId) continue;
      if (!known.has(r.userId)) {
        dropped.roles++;
        continue;
      }
      members.push({ userId: r.userId, role: r.role === 'owner' ? 'moderator' : r.role });
    }
    const lost = dropped.votes + dropped.ratings + dropped.roles;
    if (lost > 0)
      warnings.push({
        message: `people without an account here: ${dropped.votes} votes, ${dropped.ratings} source ratings and ${dropped.roles} roles are left out`,
      });
  }

  return {
    title,
    description,
    visibility,
    publicRole: backup?.debate.publicRole ?? 'participant',
    locked: backup?.debate.locked ?? false,
    snapshot,
    claims,
    sources,
    evidence,
    ratings,
    votes,
    members,
    hidden: backup?.hidden ?? [],
    counts: {
      claims: bundle.graph.claims.length,
      relations: bundle.graph.relations.length,
      sources: sources.length,
      evidence: evidence.length,
      comments: backup?.comments.length ?? 0,
      ratings: ratings.length,
      votes: votes.length,
      roles: members.length,
    },
    dropped,
  };
}

/**
 * Writes the planned debate in one transaction: its row, its document snapshot (the doc store's
 * table), the claim projection evidence hangs on, sources, evidence, ratings, votes, roles,
 * hidden claims and the audit entry. Any failure rolls all of it back: an import is whole or
 * absent.
 *
 * It goes through the Sql helper rather than Prisma: Prisma cannot share its transaction with
 * it (on PGlite both queue on the one connection), and through Prisma's driver adapters a
 * 20,000-claim import took over a minute on PGlite (a 10 MB bytea snapshot and 20,000 claim
 * rows), against a few seconds here with one unnest() INSERT per table.
 */
async function write(deps: FormatDeps, who: Importer, p: Plan, format: ImportFormat, teamId: string | undefined): Promise<string> {
  const id = newId();
  const col = <T, K extends keyof T>(rows: T[], key: K): T[K][] => rows.map((r) => r[key]);
  await deps.db.sql.transaction(async (tx) => {
    await tx.query(
      `INSERT INTO "Debate" ("id", "title", "description", "ownerUserId", "ownerTeamId", "visibility", "publicRole", "locked")
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [id, p.title, p.description, teamId ? null : who.userId, teamId ?? null, p.visibility, p.publicRole, p.locked],
    );
    // As base64 text: PGlite serialises a bytea parameter byte by byte, which took 24 s for the
    // 10 MB snapshot of a 20,000-claim map; decoding base64 inside the database takes 2.
    await tx.query(`INSERT INTO "DocSnapshot" ("debateId", "data") VALUES ($1, decode($2, 'base64'))`, [
      id,
      Buffer.from(p.snapshot.buffer, p.snapshot.byteOffset, p.snapshot.byteLength).toString('base64'),
    ]);
    if (p.claims.length > 0)
      await tx.query(
        `INSERT INTO "DebateClaim" ("debateId", "claimId", "text", "kind")
         SELECT $1, c.id, c.text, c.kind FROM unnest($2::text[], $3::text[], $4::text[]) AS c(id, text, kind)`,
        [id, col(p.claims, 'claimId'), col(p.claims, 'text'), col(p.claims, 'kind')],
      );
    for (let i = 0; i < p.sources.length; i += SOURCE_ROWS_PER_INSERT) {
      const chunk = p.sources.slice(i, i + SOURCE_ROWS_PER_INSERT);
      const params: unknown[] = [id];
      const values = chunk.map((s) => {
        const n = params.length;
        params.push(s.id, s.url, s.title, s.authors, s.publisher, s.publishedAt, s.kind, s.notes, s.addedBy, s.addedByName);
        return `($${n + 1}, $1, $${n + 2}, $${n + 3}, $${n + 4}::text[], $${n + 5}, $${n + 6}::date, $${n + 7}::"SourceKind", $${n + 8}, $${n + 9}, $${n + 10})`;
      });
      await tx.query(
        `INSERT INTO "Source" ("id", "debateId", "url", "title", "authors", "publisher", "publishedAt", "kind", "notes", "addedBy", "addedByName")
         VALUES ${values.join(', ')}`,
        params,
      );
    }
    if (p.evidence.length > 0) {
      const e = p.evidence;
      await tx.query(
        `INSERT INTO "Evidence" ("id", "debateId", "claimId", "sourceId", "stance", "quote", "locator", "note", "addedBy", "addedByName")
         SELECT e.id, $1, e.claim, e.source, e.stance::"EvidenceStance", e.quote, e.locator, e.note, e.by, e.byname
           FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])
             AS e(id, claim, source, stance, quote, locator, note, by, byname)`,
        [
          id,
          col(e, 'id'),
          col(e, 'claimId'),
          col(e, 'sourceId'),
          col(e, 'stance'),
          col(e, 'quote'),
          col(e, 'locator'),
          col(e, 'note'),
          col(e, 'addedBy'),
          col(e, 'addedByName'),
        ],
      );
    }
    if (p.ratings.length > 0)
      await tx.query(
        `INSERT INTO "SourceRating" ("sourceId", "userKey", "rating") SELECT * FROM unnest($1::text[], $2::text[], $3::int[])`,
        [col(p.ratings, 'sourceId'), col(p.ratings, 'userKey'), col(p.ratings, 'rating')],
      );
    if (p.votes.length > 0)
      await tx.query(
        `INSERT INTO "Vote" ("id", "debateId", "targetKind", "targetId", "userKey", "value")
         SELECT v.id, $1, v.kind, v.target, v.who, v.value FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::int[]) AS v(id, kind, target, who, value)`,
        [id, col(p.votes, 'id'), col(p.votes, 'targetKind'), col(p.votes, 'targetId'), col(p.votes, 'userKey'), col(p.votes, 'value')],
      );
    if (p.members.length > 0)
      await tx.query(`INSERT INTO "DebateMember" ("debateId", "userId", "role") SELECT $1, * FROM unnest($2::text[], $3::text[])`, [
        id,
        col(p.members, 'userId'),
        col(p.members, 'role'),
      ]);
    if (p.hidden.length > 0)
      await tx.query(`INSERT INTO "HiddenClaim" ("debateId", "claimId", "hiddenById") SELECT $1, c, $3 FROM unnest($2::text[]) AS c`, [
        id,
        p.hidden,
        who.userId,
      ]);
    const detail = {
      importedFrom: format,
      visibility: p.visibility,
      owner: teamId ? { kind: 'team', teamId } : { kind: 'user', userId: who.userId },
    };
    await tx.query(
      `INSERT INTO "AuditEntry" ("debateId", "actorId", "actorName", "action", "detail") VALUES ($1, $2, $3, 'debate.create', $4::jsonb)`,
      [id, who.userId, who.name, JSON.stringify(detail)],
    );
  });
  return id;
}

function problem(e: FormatError): { line?: number; path?: string; message: string } {
  return { ...(e.line !== undefined ? { line: e.line } : {}), ...(e.path !== undefined ? { path: e.path } : {}), message: e.reason };
}

const emptyCounts = (): ImportCounts => ({ claims: 0, relations: 0, sources: 0, evidence: 0, comments: 0, ratings: 0, votes: 0, roles: 0 });

/**
 * POST /api/import. Parses (throwing 413 past the format's size limit, 422 with the line or JSON
 * path for malformed input), then either reports what would be created (dryRun; parse errors
 * are part of the preview) or creates the debate, owned by the caller or by `teamId`.
 */
export async function importDebate(
  deps: FormatDeps,
  who: Importer,
  input: ImportRequest,
  opts: ImportOptions,
): Promise<ImportPreviewDto | ImportResultDto> {
  const req = importRequestSchema.parse(input);
  const format = req.format === 'auto' ? detectFormat(req.text, req.fileName) : req.format;
  const bytes = utf8Length(req.text);
  const limit = importLimitOf(format);
  if (bytes > limit)
    throw new ApiError(
      'payload_too_large',
      `the ${format} text is ${MB(bytes)}; the limit is ${MB(limit)}${format === 'backup' ? '' : ' (a Crux backup may be up to 50 MB)'}`,
      [{ field: 'text', message: `larger than ${MB(limit)}` }],
    );
  if (req.teamId) {
    const m = await deps.db.prisma.teamMember.findUnique({
      where: { teamId_userId: { teamId: req.teamId, userId: who.userId } },
      select: { role: true },
    });
    if (!canTeam(asRole(m?.role), 'team.debate.create'))
      throw new ApiError('forbidden', 'you need a participant role in that team to import a debate into it', [
        { field: 'teamId', message: 'not a team you can start debates in' },
      ]);
  }

  const now = opts.now ?? Date.now();
  const t0 = performance.now();
  let parsed: Parsed;
  try {
    parsed = parse(format, req.text, who.name, now);
  } catch (e) {
    if (!(e instanceof FormatError)) throw e;
    if (opts.dryRun)
      return { dryRun: true, format, ok: false, title: req.title ?? '', counts: emptyCounts(), warnings: [], errors: [problem(e)] };
    const where = e.line !== undefined ? `line ${e.line}` : e.path !== undefined ? e.path : undefined;
    throw new ApiError('unprocessable', `this is not a valid ${format} file`, [
      { field: 'text', message: where ? `${where}: ${e.reason}` : e.reason },
    ]);
  }
  const p = await plan(deps, who, parsed, { ...(req.title !== undefined ? { title: req.title } : {}), team: req.teamId !== undefined });
  // A JSON format (AIF, a backup) can spell a NUL or half a surrogate pair as an escape that the
  // request check cannot see; what the parser produced is checked before anything is written.
  const bad = findUnstorable({ ...parsed.bundle, ...(parsed.backup ? { backup: parsed.backup } : {}), title: p.title }, 'file');
  if (bad) {
    const reason = `${bad.field}: ${bad.message}`;
    if (opts.dryRun)
      return {
        dryRun: true,
        format,
        ok: false,
        title: p.title,
        counts: emptyCounts(),
        warnings: parsed.warnings,
        errors: [{ path: bad.field, message: bad.message }],
      };
    throw new ApiError('unprocessable', `this ${format} file holds text the database cannot store`, [{ field: 'text', message: reason }]);
  }
  const parseMs = performance.now() - t0;
  if (opts.dryRun) return { dryRun: true, format, ok: true, title: p.title, counts: p.counts, warnings: parsed.warnings, errors: [] };
  const t1 = performance.now();
  const id = await write(deps, who, p, format, req.teamId);
  const writeMs = performance.now() - t1;
  return {
    dryRun: false,
    format,
    debate: { id, title: p.title },
    counts: p.counts,
    warnings: parsed.warnings,
    dropped: p.dropped,
    timings: { parseMs: Math.round(parseMs), writeMs: Math.round(writeMs) },
  };
}
