import { newId } from '../../lib/model/doc';
import {
  LIVE_TOPICS,
  STANCES,
  type CreateEvidence,
  type EvidenceDto,
  type EvidenceSummary,
  type ListEvidenceQuery,
  type Page,
  type StanceCounts,
  type UpdateEvidence,
  listEvidenceQuerySchema,
} from '../../lib/schemas/evidence';
import { ApiError } from '../http/errors';
import { loadStoredDoc, readProjectedClaims, writeProjection } from '../projection/claims';
import { fromDate, findOrCreateSource, type Actor, type EvidenceDeps } from './sources';

const SOURCE_SELECT = { id: true, title: true, url: true, kind: true, publisher: true, publishedAt: true, authors: true } as const;

type EvidenceRow = {
  id: string;
  debateId: string;
  claimId: string;
  sourceId: string;
  stance: EvidenceDto['stance'];
  quote: string;
  locator: string;
  note: string;
  addedBy: string;
  addedByName: string;
  createdAt: Date;
  updatedAt: Date;
  source: {
    id: string;
    title: string;
    url: string | null;
    kind: EvidenceDto['source']['kind'];
    publisher: string;
    publishedAt: Date | null;
    authors: string[];
  };
};

const toDto = (e: EvidenceRow): EvidenceDto => ({
  id: e.id,
  debateId: e.debateId,
  claimId: e.claimId,
  sourceId: e.sourceId,
  source: { ...e.source, publishedAt: fromDate(e.source.publishedAt) },
  stance: e.stance,
  quote: e.quote,
  locator: e.locator,
  note: e.note,
  addedBy: e.addedBy,
  addedByName: e.addedByName,
  createdAt: e.createdAt.toISOString(),
  updatedAt: e.updatedAt.toISOString(),
});

/** Evidence is visible while its claim is: a deleted claim hides it, undo shows it again. */
const visible = (debateId: string) => ({ debateId, claim: { deleted: false } });

/**
 * Who reads: readers do not see evidence on claims a moderator hid (the canvas leaves those
 * claims out for them); moderators see everything, to judge and restore.
 */
export interface ReadScope {
  includeHidden: boolean;
}
const READER: ReadScope = { includeHidden: false };

async function visibleTo(deps: EvidenceDeps, debateId: string, scope: ReadScope) {
  if (scope.includeHidden) return visible(debateId);
  const hidden = await deps.db.prisma.hiddenClaim.findMany({ where: { debateId }, select: { claimId: true } });
  return hidden.length === 0 ? visible(debateId) : { ...visible(debateId), claimId: { notIn: hidden.map((h) => h.claimId) } };
}

/**
 * Is `claimId` a live claim of the debate? The projection lags the document by up to
 * PROJECT_DELAY_MS (and a crash can lose its pending write), so a miss is checked against the
 * document itself — the room's if loaded, else the stored one — and, when the claim is there,
 * the debate is projected now.
 */
export async function requireLiveClaim(deps: EvidenceDeps, debateId: string, claimId: string): Promise<void> {
  const row = () =>
    deps.db.prisma.debateClaim.findUnique({ where: { debateId_claimId: { debateId, claimId } }, select: { deleted: true } });
  let r = await row();
  if (r && !r.deleted) return;
  const room = await deps.rooms.peek(debateId)?.catch(() => undefined);
  const own = room && !room.destroyed ? undefined : await loadStoredDoc(deps.db, debateId);
  try {
    const claims = readProjectedClaims(own ?? room!.doc);
    if (claims.has(claimId)) {
      await deps.db.sql.transaction((tx) => writeProjection(tx, debateId, claims));
      r = await row();
    }
  } finally {
    own?.destroy();
  }
  if (r && !r.deleted) return;
  throw new ApiError('unprocessable', 'unknown claim', [
    { field: 'claimId', message: r ? `claim ${claimId} was deleted` : `no claim ${claimId} in this debate` },
  ]);
}

export async function listEvidence(
  deps: EvidenceDeps,
  debateId: string,
  query: ListEvidenceQuery,
  scope: ReadScope = READER,
): Promise<Page<EvidenceDto>> {
  const q = listEvidenceQuerySchema.parse(query);
  const prisma = deps.db.prisma;
  const base = await visibleTo(deps, debateId, scope);
  // A hidden claim asked for by id: the notIn above already leaves its evidence out.
  const where = { ...base, ...(q.sourceId ? { sourceId: q.sourceId } : {}), ...(q.claimId ? { AND: [{ claimId: q.claimId }] } : {}) };
  if (q.cursor && !(await prisma.evidence.count({ where: { id: q.cursor, debateId } })))
    throw new ApiError('bad_request', 'invalid query', [{ field: 'cursor', message: 'unknown cursor' }]);
  const rows = await prisma.evidence.findMany({
    where,
    include: { source: { select: SOURCE_SELECT } },
    // Oldest first: a claim's evidence reads in the order it was gathered.
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    take: q.limit + 1,
    ...(q.cursor ? { cursor: { id: q.cursor }, skip: 1 } : {}),
  });
  const page = rows.slice(0, q.limit);
  return { items: page.map(toDto), nextCursor: rows.length > q.limit ? (page[page.length - 1]?.id ?? null) : null };
}

/** Per-claim stance counts and per-source claim lists: the canvas's counters and highlights. */
export async function evidenceSummary(deps: EvidenceDeps, debateId: string, scope: ReadScope = READER): Promise<EvidenceSummary> {
  const rows = await deps.db.prisma.evidence.groupBy({
    by: ['claimId', 'sourceId', 'stance'],
    where: await visibleTo(deps, debateId, scope),
    _count: { _all: true },
  });
  const claims: Record<string, StanceCounts> = {};
  const sources: Record<string, string[]> = {};
  for (const r of rows) {
    const c = (claims[r.claimId] ??= Object.fromEntries(STANCES.map((s) => [s, 0])) as StanceCounts);
    c[r.stance] += r._count._all;
    const s = (sources[r.sourceId] ??= []);
    if (!s.includes(r.claimId)) s.push(r.claimId);
  }
  return { claims, sources };
}

async function findOwn(deps: EvidenceDeps, debateId: string, evidenceId: string): Promise<EvidenceRow> {
  const e = await deps.db.prisma.evidence.findFirst({
    where: { id: evidenceId, ...visible(debateId) },
    include: { source: { select: SOURCE_SELECT } },
  });
  if (!e) throw new ApiError('not_found', `evidence ${evidenceId} not found in this debate`);
  return e;
}

export async function getEvidence(deps: EvidenceDeps, debateId: string, evidenceId: string): Promise<EvidenceDto> {
  return toDto(await findOwn(deps, debateId, evidenceId));
}

/** Who added the evidence: the edit and delete checks need it before acting. */
export async function evidenceAuthor(deps: EvidenceDeps, debateId: string, evidenceId: string): Promise<string> {
  return (await findOwn(deps, debateId, evidenceId)).addedBy;
}

/**
 * Attaches a quote to a claim. The source is one of the debate's (`sourceId`; another debate's
 * is refused with 422 naming the field) or described inline and created with the evidence in one
 * transaction — or found, when its URL is already in the library.
 */
export async function addEvidence(deps: EvidenceDeps, debateId: string, input: CreateEvidence, actor: Actor): Promise<EvidenceDto> {
  await requireLiveClaim(deps, debateId, input.claimId);
  let sourceCreated = false;
  const row = await deps.db.prisma.$transaction(async (tx) => {
    let sourceId: string;
    if (input.source) {
      const r = await findOrCreateSource(tx, debateId, input.source, actor);
      sourceId = r.source.id;
      sourceCreated = r.created;
    } else {
      const s = await tx.source.findFirst({ where: { id: input.sourceId!, debateId }, select: { id: true } });
      if (!s)
        throw new ApiError('unprocessable', 'unknown source', [
          { field: 'sourceId', message: `no source ${input.sourceId} in this debate` },
        ]);
      sourceId = s.id;
    }
    return tx.evidence.create({
      data: {
        id: newId(),
        debateId,
        claimId: input.claimId,
        sourceId,
        stance: input.stance,
        quote: input.quote,
        locator: input.locator,
        note: input.note,
        addedBy: actor.key,
        addedByName: actor.name,
      },
      include: { source: { select: SOURCE_SELECT } },
    });
  });
  await deps.live.publish({ debateId, topic: LIVE_TOPICS.evidence });
  if (sourceCreated) await deps.live.publish({ debateId, topic: LIVE_TOPICS.sources });
  return toDto(row);
}

export async function updateEvidence(
  deps: EvidenceDeps,
  debateId: string,
  evidenceId: string,
  patch: UpdateEvidence,
): Promise<EvidenceDto> {
  await findOwn(deps, debateId, evidenceId);
  const row = await deps.db.prisma.evidence.update({
    where: { id: evidenceId },
    data: patch,
    include: { source: { select: SOURCE_SELECT } },
  });
  await deps.live.publish({ debateId, topic: LIVE_TOPICS.evidence });
  return toDto(row);
}

export async function deleteEvidence(deps: EvidenceDeps, debateId: string, evidenceId: string): Promise<void> {
  await findOwn(deps, debateId, evidenceId);
  await deps.db.prisma.evidence.delete({ where: { id: evidenceId } });
  await deps.live.publish({ debateId, topic: LIVE_TOPICS.evidence });
}
