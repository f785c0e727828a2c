import { allowedActions } from '../../lib/permissions';
import { presenceFor } from '../../lib/presence';
import type { AccessInfo } from '../../lib/schemas/access';
import type { PrismaClient } from '../db/client';
import type { Allowed } from '../access/guard';

/** GET /api/debates/[id]/access: the caller's role, what it allows, and how they appear to others. */
export async function accessInfo(prisma: PrismaClient, who: Allowed): Promise<AccessInfo> {
  const d = who.debate;
  let owner: AccessInfo['owner'] = null;
  if (d.ownerUserId) {
    const u = await prisma.user.findUnique({ where: { id: d.ownerUserId }, select: { name: true } });
    owner = { kind: 'user', id: d.ownerUserId, name: u?.name ?? '' };
  } else if (d.ownerTeamId) {
    const t = await prisma.team.findUnique({ where: { id: d.ownerTeamId }, select: { name: true } });
    owner = { kind: 'team', id: d.ownerTeamId, name: t?.name ?? '' };
  }
  return {
    debateId: d.id,
    principal: who.principal,
    role: who.role,
    actions: allowedActions(who.principal, d.access, d.grants),
    access: d.access,
    phase: d.access.phase,
    grants: d.grants,
    owner,
    presence: presenceFor(who.user),
  };
}
