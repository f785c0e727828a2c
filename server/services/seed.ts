import * as Y from 'yjs';
import { AGI_DEBATE, buildAgiDoc } from '../../lib/seed/agi';
import type { PrismaClient } from '../db/client';

export interface SeedResult {
  created: boolean;
  debateId: string;
}

/**
 * Seeds the launch debate. With `onlyIfEmpty` (the start-up path) it does nothing once any debate
 * exists, so a team that deleted it does not see it come back; otherwise it creates the debate
 * when its id is free. Either way it never touches an existing document.
 */
export async function seedAgiDebate(prisma: PrismaClient, opts: { onlyIfEmpty: boolean }): Promise<SeedResult> {
  const exists = opts.onlyIfEmpty ? (await prisma.debate.count()) > 0 : (await prisma.debate.count({ where: { id: AGI_DEBATE.id } })) > 0;
  if (exists) return { created: false, debateId: AGI_DEBATE.id };
  const doc = new Y.Doc();
  buildAgiDoc(doc);
  // Prisma wants an ArrayBuffer-backed array; Yjs types its output as ArrayBufferLike.
  const snapshot = new Uint8Array(Y.encodeStateAsUpdate(doc));
  doc.destroy();
  try {
    await prisma.$transaction([
      prisma.debate.create({ data: { id: AGI_DEBATE.id, title: AGI_DEBATE.title, description: AGI_DEBATE.description } }),
      prisma.docSnapshot.create({ data: { debateId: AGI_DEBATE.id, data: snapshot } }),
    ]);
  } catch (e) {
    // Two instances seeding at once: the loser hits the primary key and that is fine.
    if ((await prisma.debate.count({ where: { id: AGI_DEBATE.id } })) > 0) return { created: false, debateId: AGI_DEBATE.id };
    throw e;
  }
  return { created: true, debateId: AGI_DEBATE.id };
}
