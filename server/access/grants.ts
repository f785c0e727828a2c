import { maxRole, type DebateAccess, type Grants, type Phase, type Role } from '../../lib/permissions';
import type { PrismaClient } from '../db/client';
import { hashToken, looksLikeToken } from './tokens';

/** A debate's access settings and one principal's roles on it: what `can` needs. */
export interface DebateGrants {
  id: string;
  title: string;
  ownerUserId: string | null;
  ownerTeamId: string | null;
  access: DebateAccess;
  grants: Grants;
}

export const asRole = (r: string | null | undefined): Role | null =>
  r === 'viewer' || r === 'participant' || r === 'moderator' || r === 'owner' ? r : null;

/** The stored phase (a CHECK constraint admits only these); anything else reads as the strictest. */
export const asPhase = (p: string): Phase => (p === 'open' || p === 'voting' ? p : 'closed');

/**
 * Loads the debate's settings and the principal's roles: their membership, their role in the
 * owning team, ownership (the owner, or an owner of the owning team, is 'owner'), and the role of
 * the invite link they presented, if it is valid for this debate. null: no such debate.
 */
export async function loadDebateGrants(
  prisma: PrismaClient,
  debateId: string,
  userId: string | null,
  linkToken?: string | null,
): Promise<DebateGrants | null> {
  const d = await prisma.debate.findUnique({
    where: { id: debateId },
    select: { id: true, title: true, ownerUserId: true, ownerTeamId: true, visibility: true, publicRole: true, locked: true, phase: true },
  });
  if (!d) return null;
  const [member, teamMember, link] = await Promise.all([
    userId ? prisma.debateMember.findUnique({ where: { debateId_userId: { debateId, userId } }, select: { role: true } }) : null,
    userId && d.ownerTeamId
      ? prisma.teamMember.findUnique({ where: { teamId_userId: { teamId: d.ownerTeamId, userId } }, select: { role: true } })
      : null,
    d.visibility === 'link' && looksLikeToken(linkToken)
      ? prisma.invite.findUnique({
          where: { tokenHash: hashToken(linkToken) },
          select: { debateId: true, role: true, expiresAt: true, revokedAt: true },
        })
      : null,
  ]);
  const teamRole = asRole(teamMember?.role);
  const linkValid = link && link.debateId === debateId && link.revokedAt === null && link.expiresAt.getTime() > Date.now();
  return {
    id: d.id,
    title: d.title,
    ownerUserId: d.ownerUserId,
    ownerTeamId: d.ownerTeamId,
    access: {
      visibility: d.visibility as DebateAccess['visibility'],
      locked: d.locked,
      phase: asPhase(d.phase),
      publicRole: asRole(d.publicRole),
    },
    grants: {
      debateRole: maxRole(
        asRole(member?.role),
        userId !== null && d.ownerUserId === userId ? 'owner' : null,
        teamRole === 'owner' ? 'owner' : null,
      ),
      teamRole,
      linkRole: linkValid ? asRole(link.role) : null,
    },
  };
}
