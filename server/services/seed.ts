import * as Y from 'yjs';
import { AGI_DEBATE, buildAgiDoc, type SeedDebate } from '../../lib/seed/agi';
import { normalizeUrl } from '../../lib/url';
import type { PrismaClient } from '../db/client';
import { readProjectedClaims } from '../projection/claims';

export interface SeedResult {
  created: boolean;
  debateId: string;
}

/**
 * Row ids of the seeded sources and evidence: the seed's own short ids ("s1", "e-a1-s3") under
 * the debate's id, so they stay stable across runs and cannot collide with another debate's.
 */
export const seededId = (debate: Pick<SeedDebate, 'id'>, id: string): string => `${debate.id}-${id}`;

/**
 * Seeds the launch debate. With `onlyIfEmpty` (the start-up path) it does nothing once any debate
 * exists, so a team that deleted it does not see it come back; otherwise it creates the debate
 * when its id is free. Either way it never touches an existing document.
 *
 * The debate, its document, the projection of its claims, its sources and its evidence are
 * written in one transaction: a debate nobody has opened yet can already be searched and cited.
 */
export async function seedAgiDebate(prisma: PrismaClient, opts: { onlyIfEmpty: boolean }): Promise<SeedResult> {
  const seed = AGI_DEBATE;
  const exists = opts.onlyIfEmpty ? (await prisma.debate.count()) > 0 : (await prisma.debate.count({ where: { id: seed.id } })) > 0;
  if (exists) return { created: false, debateId: seed.id };
  const doc = new Y.Doc();
  buildAgiDoc(doc);
  // Prisma wants an ArrayBuffer-backed array; Yjs types its output as ArrayBufferLike.
  const snapshot = new Uint8Array(Y.encodeStateAsUpdate(doc));
  // Projected from the document itself, exactly as the live projection would.
  const claims = [...readProjectedClaims(doc)].map(([claimId, c]) => ({ debateId: seed.id, claimId, text: c.text, kind: c.kind }));
  doc.destroy();
  // No account added them: the key matches nobody's user id, so only moderators edit them.
  const added = { addedBy: 'seed:crux-editors', addedByName: 'Crux editors' };
  const sources = seed.sources.map((s) => {
    const url = s.url === null ? null : normalizeUrl(s.url);
    if (url !== null && !url.ok) throw new Error(`seed source ${s.id} has an invalid url (${url.reason})`);
    return {
      id: seededId(seed, s.id),
      debateId: seed.id,
      url: url?.url ?? null,
      title: s.title,
      authors: s.authors,
      publisher: s.publisher,
      publishedAt: s.publishedAt === null ? null : new Date(`${s.publishedAt}T00:00:00.000Z`),
      kind: s.kind,
      notes: s.notes,
      ...added,
    };
  });
  const evidence = seed.evidence.map((e) => ({
    id: seededId(seed, e.id),
    debateId: seed.id,
    claimId: e.claimId,
    sourceId: seededId(seed, e.sourceId),
    stance: e.stance,
    quote: e.quote,
    locator: e.locator,
    note: e.note,
    ...added,
  }));
  try {
    await prisma.$transaction([
      prisma.debate.create({ data: { id: seed.id, title: seed.title, description: seed.description } }),
      prisma.docSnapshot.create({ data: { debateId: seed.id, data: snapshot } }),
      prisma.debateClaim.createMany({ data: claims }),
      prisma.source.createMany({ data: sources }),
      prisma.evidence.createMany({ data: evidence }),
    ]);
  } catch (e) {
    // Two instances seeding at once: the loser hits the primary key and that is fine.
    if ((await prisma.debate.count({ where: { id: seed.id } })) > 0) return { created: false, debateId: seed.id };
    throw e;
  }
  return { created: true, debateId: seed.id };
}
