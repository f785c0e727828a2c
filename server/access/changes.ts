import type { Runtime } from '../runtime';
import { liveAccess } from './live';
import { grantsChanged } from './grants';

/** Live-bus topic of access changes: clients refetch GET /api/debates/[id]/access, sockets re-check. */
export const ACCESS_TOPIC = 'access';

export interface AccessScope {
  debateIds?: readonly string[];
  /** Every debate the team owns. */
  teamId?: string;
  /** Every socket of this user, whatever the debate. */
  userId?: string;
}

/**
 * Called after a change to roles, membership, visibility, locks or sessions has committed:
 * re-checks this process's affected sockets before returning (so the next frame they send is
 * judged by the new rules) and tells other instances and clients through the live bus.
 */
export async function accessChanged(rt: Runtime, scope: AccessScope): Promise<void> {
  // Cached grants first, so that the sockets re-checked below (and the next request) read the change.
  await grantsChanged(rt.live, scope);
  const ids = new Set(scope.debateIds ?? []);
  if (scope.teamId) {
    const owned = await rt.db.prisma.debate.findMany({ where: { ownerTeamId: scope.teamId }, select: { id: true } });
    for (const d of owned) ids.add(d.id);
  }
  const registry = liveAccess();
  await Promise.all([
    ids.size > 0 ? registry.refreshWhere(() => true, [...ids]) : undefined,
    scope.userId ? registry.refreshWhere((w) => w.userId === scope.userId) : undefined,
  ]);
  await Promise.all([...ids].map((debateId) => rt.live.publish({ debateId, topic: ACCESS_TOPIC }).catch(() => undefined)));
}
