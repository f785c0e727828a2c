import { newId } from '../../lib/model/doc';
import {
  LIVE_TOPICS,
  type CreateSource,
  type CreateSourceResult,
  type ListSourcesQuery,
  type Page,
  type SourceDto,
  type UpdateSource,
  listSourcesQuerySchema,
} from '../../lib/schemas/evidence';
import type { Database, PrismaClient } from '../db/client';
import { Prisma } from '../db/generated/client';
import type { Source } from '../db/generated/client';
import { ApiError } from '../http/errors';
import type { LiveBus } from '../live/bus';
import type { RoomManager } from '../rooms/manager';
import { matchingSourceIds } from './search';

/** What the evidence services need from the running server (Runtime and CruxServer both fit). */
export interface EvidenceDeps {
  db: Database;
  live: LiveBus;
  rooms: RoomManager;
}

/** Who is acting: `key` is stored in addedBy / userKey and compared for authorship, `name` is shown. */
export interface Actor {
  key: string;
  name: string;
}

/** Prisma's own transaction client and the full client share every model method we use. */
type Db = PrismaClient | Prisma.TransactionClient;

export const isUniqueViolation = (e: unknown): boolean => e instanceof Prisma.PrismaClientKnownRequestError && e.code === 'P2002';

const toDate = (d: string | null): Date | null => (d === null ? null : new Date(`${d}T00:00:00.000Z`));
export const fromDate = (d: Date | null): string | null => (d === null ? null : d.toISOString().slice(0, 10));

/** Credibility and citation counts for a page of sources, in three grouped queries. */
async function decorate(prisma: Db, rows: Source[], viewerKey: string | null): Promise<SourceDto[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const [ratings, mine, cited] = await Promise.all([
    prisma.sourceRating.groupBy({ by: ['sourceId'], where: { sourceId: { in: ids } }, _avg: { rating: true }, _count: { _all: true } }),
    viewerKey === null
      ? []
      : prisma.sourceRating.findMany({ where: { sourceId: { in: ids }, userKey: viewerKey }, select: { sourceId: true, rating: true } }),
    prisma.evidence.groupBy({ by: ['sourceId'], where: { sourceId: { in: ids }, claim: { deleted: false } }, _count: { _all: true } }),
  ]);
  const byId = new Map(ratings.map((r) => [r.sourceId, r]));
  const mineById = new Map(mine.map((r) => [r.sourceId, r.rating]));
  const citedById = new Map(cited.map((c) => [c.sourceId, c._count._all]));
  return rows.map((s) => {
    const r = byId.get(s.id);
    return {
      id: s.id,
      debateId: s.debateId,
      url: s.url,
      title: s.title,
      authors: s.authors,
      publisher: s.publisher,
      publishedAt: fromDate(s.publishedAt),
      kind: s.kind,
      notes: s.notes,
      addedBy: s.addedBy,
      addedByName: s.addedByName,
      createdAt: s.createdAt.toISOString(),
      updatedAt: s.updatedAt.toISOString(),
      credibility: {
        // Two decimals are all a 1–5 scale can show.
        mean: r?._avg.rating == null ? null : Math.round(r._avg.rating * 100) / 100,
        count: r?._count._all ?? 0,
        mine: mineById.get(s.id) ?? null,
      },
      evidenceCount: citedById.get(s.id) ?? 0,
    };
  });
}

const notFound = (sourceId: string) => new ApiError('not_found', `source ${sourceId} not found in this debate`);

/** The source row, only if it belongs to this debate: ids from another debate are not found. */
async function findOwn(prisma: Db, debateId: string, sourceId: string): Promise<Source> {
  const s = await prisma.source.findFirst({ where: { id: sourceId, debateId } });
  if (!s) throw notFound(sourceId);
  return s;
}

export async function listSources(
  deps: EvidenceDeps,
  debateId: string,
  query: ListSourcesQuery,
  viewerKey: string | null,
): Promise<Page<SourceDto>> {
  const q = listSourcesQuerySchema.parse(query);
  const prisma = deps.db.prisma;
  const matching = q.q ? await matchingSourceIds(deps.db, debateId, q.q) : undefined;
  if (q.cursor && !(await prisma.source.count({ where: { id: q.cursor, debateId } })))
    throw new ApiError('bad_request', 'invalid query', [{ field: 'cursor', message: 'unknown cursor' }]);
  const rows = await prisma.source.findMany({
    where: { debateId, ...(q.kind ? { kind: q.kind } : {}), ...(matching ? { id: { in: matching } } : {}) },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: q.limit + 1,
    ...(q.cursor ? { cursor: { id: q.cursor }, skip: 1 } : {}),
  });
  const page = rows.slice(0, q.limit);
  return { items: await decorate(prisma, page, viewerKey), nextCursor: rows.length > q.limit ? (page[page.length - 1]?.id ?? null) : null };
}

export async function getSource(deps: EvidenceDeps, debateId: string, sourceId: string, viewerKey: string | null): Promise<SourceDto> {
  const prisma = deps.db.prisma;
  const [dto] = await decorate(prisma, [await findOwn(prisma, debateId, sourceId)], viewerKey);
  return dto!;
}

/** Who added the source: the edit and delete checks need it before acting. */
export async function sourceAuthor(deps: EvidenceDeps, debateId: string, sourceId: string): Promise<string> {
  return (await findOwn(deps.db.prisma, debateId, sourceId)).addedBy;
}

/**
 * Adds a source to the debate's library, or finds the one its URL already names: the same
 * article pasted twice is one source. Race-free: the insert skips a conflicting row (ON CONFLICT
 * DO NOTHING) and the row is then read back, whoever inserted it.
 */
export async function findOrCreateSource(
  prisma: Db,
  debateId: string,
  input: CreateSource,
  actor: Actor,
): Promise<{ source: Source; created: boolean }> {
  const id = newId();
  const data = {
    id,
    debateId,
    url: input.url,
    title: input.title,
    authors: input.authors,
    publisher: input.publisher,
    publishedAt: toDate(input.publishedAt),
    kind: input.kind,
    notes: input.notes,
    addedBy: actor.key,
    addedByName: actor.name,
  };
  if (input.url === null) return { source: await prisma.source.create({ data }), created: true };
  await prisma.source.createMany({ data: [data], skipDuplicates: true });
  const source = await prisma.source.findUnique({ where: { debateId_url: { debateId, url: input.url } } });
  if (!source) throw new Error(`source with url ${input.url} vanished after insert`);
  return { source, created: source.id === id };
}

export async function createSource(deps: EvidenceDeps, debateId: string, input: CreateSource, actor: Actor): Promise<CreateSourceResult> {
  const { source, created } = await findOrCreateSource(deps.db.prisma, debateId, input, actor);
  if (created) await deps.live.publish({ debateId, topic: LIVE_TOPICS.sources });
  const [dto] = await decorate(deps.db.prisma, [source], actor.key);
  return { source: dto!, created };
}

/** Changing the URL to one another source of the debate has is a 409 naming `url`: two sources never merge silently. */
export async function updateSource(
  deps: EvidenceDeps,
  debateId: string,
  sourceId: string,
  patch: UpdateSource,
  actorKey: string,
): Promise<SourceDto> {
  const prisma = deps.db.prisma;
  await findOwn(prisma, debateId, sourceId);
  let row: Source;
  try {
    row = await prisma.source.update({
      where: { id: sourceId },
      data: { ...patch, ...(patch.publishedAt !== undefined ? { publishedAt: toDate(patch.publishedAt) } : {}) },
    });
  } catch (e) {
    if (!isUniqueViolation(e) || !patch.url) throw e;
    const other = await prisma.source.findUnique({
      where: { debateId_url: { debateId, url: patch.url } },
      select: { id: true, title: true },
    });
    throw new ApiError('conflict', 'another source has this URL', [
      { field: 'url', message: `this link is already in the library as "${other?.title ?? 'another source'}"` },
    ]);
  }
  await deps.live.publish({ debateId, topic: LIVE_TOPICS.sources });
  const [dto] = await decorate(prisma, [row], actorKey);
  return dto!;
}

/**
 * Removes a source. A source still cited on a visible claim is refused (409): its quotes are
 * other people's work and must be removed first. Quotes on deleted claims, which nobody can see
 * or remove, go with it.
 */
export async function deleteSource(deps: EvidenceDeps, debateId: string, sourceId: string): Promise<void> {
  await deps.db.prisma.$transaction(async (tx) => {
    await findOwn(tx, debateId, sourceId);
    const cited = await tx.evidence.count({ where: { sourceId, claim: { deleted: false } } });
    if (cited > 0)
      throw new ApiError('conflict', 'source is cited', [
        { field: 'sourceId', message: `cited by ${cited} quote${cited === 1 ? '' : 's'}; remove ${cited === 1 ? 'it' : 'them'} first` },
      ]);
    await tx.evidence.deleteMany({ where: { sourceId } });
    await tx.source.delete({ where: { id: sourceId } });
  });
  await deps.live.publish({ debateId, topic: LIVE_TOPICS.sources });
}

/** Sets (or changes) the user's 1–5 credibility rating; null removes it. */
export async function rateSource(
  deps: EvidenceDeps,
  debateId: string,
  sourceId: string,
  userKey: string,
  rating: number | null,
): Promise<SourceDto> {
  const prisma = deps.db.prisma;
  const source = await findOwn(prisma, debateId, sourceId);
  if (rating === null) await prisma.sourceRating.deleteMany({ where: { sourceId, userKey } });
  else
    await prisma.sourceRating.upsert({
      where: { sourceId_userKey: { sourceId, userKey } },
      create: { sourceId, userKey, rating },
      update: { rating },
    });
  await deps.live.publish({ debateId, topic: LIVE_TOPICS.sources });
  const [dto] = await decorate(prisma, [source], userKey);
  return dto!;
}
