import type { PrismaClient } from '../db/client';
import type { Runtime } from '../runtime';
import { audit, type Actor } from './audit';

/** Live-bus topic: the set of hidden claims changed; the canvas refetches GET /api/debates/[id]/hidden. */
export const HIDDEN_TOPIC = 'hidden';

export interface HiddenClaimInfo {
  claimId: string;
  hiddenBy: string | null;
  hiddenAt: string;
}

export async function listHidden(prisma: PrismaClient, debateId: string): Promise<HiddenClaimInfo[]> {
  const rows = await prisma.hiddenClaim.findMany({ where: { debateId }, orderBy: { createdAt: 'asc' } });
  return rows.map((r) => ({ claimId: r.claimId, hiddenBy: r.hiddenById, hiddenAt: r.createdAt.toISOString() }));
}

/**
 * Hides a claim from the canvas (or shows it again). The claim stays in the document, so
 * restoring it loses nothing; hiding is moderation of what is shown, not deletion.
 */
export async function setHidden(
  rt: Runtime,
  debateId: string,
  actor: Actor,
  claimId: string,
  hidden: boolean,
): Promise<{ changed: boolean }> {
  const changed = await rt.db.prisma.$transaction(async (tx) => {
    const key = { debateId_claimId: { debateId, claimId } };
    const exists = (await tx.hiddenClaim.count({ where: { debateId, claimId } })) > 0;
    if (exists === hidden) return false;
    if (hidden) await tx.hiddenClaim.create({ data: { debateId, claimId, hiddenById: actor.id } });
    else await tx.hiddenClaim.delete({ where: key });
    await audit(tx, actor, { debateId, action: hidden ? 'claim.hide' : 'claim.restore', target: claimId });
    return true;
  });
  if (changed) await rt.live.publish({ debateId, topic: HIDDEN_TOPIC }).catch(() => undefined);
  return { changed };
}
