import type { Database } from '../db/client';
import type { Admit } from '../transport/sync';

/**
 * Decides who may open a debate's sync socket and whether they may change it. Until accounts
 * exist ([access]) every existing debate is open to everyone.
 */
export function createAdmit(db: Database): Admit {
  return async (_req, debateId) => {
    const exists = await db.prisma.debate.count({ where: { id: debateId } });
    if (!exists) return { ok: false, status: 404, reason: 'Not Found' };
    return { ok: true, canWrite: () => true, label: 'anonymous' };
  };
}
