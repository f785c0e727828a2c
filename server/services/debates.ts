import * as Y from 'yjs';
import { initDoc, newId } from '../../lib/model/doc';
import type { CreateDebateInput, DebateSummary } from '../../lib/schemas/debate';
import { createDebateSchema } from '../../lib/schemas/debate';
import type { PrismaClient } from '../db/client';

type DebateRow = { id: string; title: string; description: string; createdAt: Date; updatedAt: Date };

export const toSummary = (d: DebateRow): DebateSummary => ({
  id: d.id,
  title: d.title,
  description: d.description,
  createdAt: d.createdAt.toISOString(),
  updatedAt: d.updatedAt.toISOString(),
});

export async function listDebates(
  prisma: PrismaClient,
  opts: { limit: number; cursor?: string },
): Promise<{ items: DebateSummary[]; nextCursor: string | null }> {
  const rows = await prisma.debate.findMany({
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: opts.limit + 1,
    ...(opts.cursor ? { cursor: { id: opts.cursor }, skip: 1 } : {}),
  });
  const more = rows.length > opts.limit;
  const items = rows.slice(0, opts.limit).map(toSummary);
  return { items, nextCursor: more ? (items[items.length - 1]?.id ?? null) : null };
}

export async function getDebate(prisma: PrismaClient, id: string): Promise<DebateSummary | null> {
  const d = await prisma.debate.findUnique({ where: { id } });
  return d ? toSummary(d) : null;
}

/** Creates the debate row and its initial document (schema version stamped) in one transaction. */
export async function createDebate(prisma: PrismaClient, input: CreateDebateInput, id = newId()): Promise<DebateSummary> {
  const data = createDebateSchema.parse(input);
  const doc = new Y.Doc();
  initDoc(doc);
  // Prisma wants an ArrayBuffer-backed array; Yjs types its output as ArrayBufferLike.
  const snapshot = new Uint8Array(Y.encodeStateAsUpdate(doc));
  doc.destroy();
  const [debate] = await prisma.$transaction([
    prisma.debate.create({ data: { id, title: data.title, description: data.description } }),
    prisma.docSnapshot.create({ data: { debateId: id, data: snapshot } }),
  ]);
  return toSummary(debate);
}
