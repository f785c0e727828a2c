import { canAssignRole, type MemberRole, type Role } from '../../lib/permissions';
import type { CreateTeamInput, MemberInfo, TeamDetail, TeamSummary } from '../../lib/schemas/access';
import { createTeamSchema } from '../../lib/schemas/access';
import type { PrismaClient } from '../db/client';
import { ApiError } from '../http/errors';
import type { Runtime } from '../runtime';
import { asRole } from '../access/grants';
import { newSecureId } from '../access/tokens';
import { accessChanged } from '../access/changes';
import { audit, type Actor } from './audit';

type Acting = Actor & { id: string; role: Role | null };

type MemberRow = { userId: string; role: string; createdAt: Date; user: { name: string; isAnonymous: boolean } };
const toMember = (m: MemberRow): MemberInfo => ({
  userId: m.userId,
  name: m.user.name,
  isGuest: m.user.isAnonymous,
  role: asRole(m.role) ?? 'viewer',
  since: m.createdAt.toISOString(),
});
const USER = { user: { select: { name: true, isAnonymous: true } } } as const;

// ---- debates ---------------------------------------------------------------------------------

/** The owner (a person, when the debate has one) and everyone with an explicit role. */
export async function listDebateMembers(prisma: PrismaClient, debateId: string): Promise<MemberInfo[]> {
  const [d, rows] = await Promise.all([
    prisma.debate.findUnique({ where: { id: debateId }, select: { ownerUserId: true, createdAt: true } }),
    prisma.debateMember.findMany({ where: { debateId }, include: USER, orderBy: { createdAt: 'asc' } }),
  ]);
  const out = rows.map(toMember);
  if (d?.ownerUserId) {
    const owner = await prisma.user.findUnique({ where: { id: d.ownerUserId }, select: { name: true, isAnonymous: true } });
    if (owner)
      out.unshift({ userId: d.ownerUserId, name: owner.name, isGuest: owner.isAnonymous, role: 'owner', since: d.createdAt.toISOString() });
  }
  return out;
}

export async function setDebateMemberRole(
  rt: Runtime,
  debateId: string,
  actor: Acting,
  userId: string,
  role: MemberRole,
): Promise<MemberInfo> {
  const row = await rt.db.prisma.$transaction(async (tx) => {
    const key = { debateId_userId: { debateId, userId } };
    const current = await tx.debateMember.findUnique({ where: key });
    if (!current) throw new ApiError('not_found', 'not a member of this debate: invite them with a link');
    if (!canAssignRole(actor.role, asRole(current.role), role))
      throw new ApiError('forbidden', `your role (${actor.role}) may not change ${current.role} to ${role}`);
    const updated = await tx.debateMember.update({ where: key, data: { role }, include: USER });
    await audit(tx, actor, { debateId, action: 'member.role', target: userId, detail: { from: current.role, to: role } });
    return updated;
  });
  await accessChanged(rt, { debateIds: [debateId] });
  return toMember(row);
}

/** Removes a member; anyone may remove themself (leave). */
export async function removeDebateMember(rt: Runtime, debateId: string, actor: Acting, userId: string): Promise<void> {
  await rt.db.prisma.$transaction(async (tx) => {
    const key = { debateId_userId: { debateId, userId } };
    const current = await tx.debateMember.findUnique({ where: key });
    if (!current) throw new ApiError('not_found', 'not a member of this debate');
    const leaving = userId === actor.id;
    if (!leaving && !canAssignRole(actor.role, asRole(current.role), null))
      throw new ApiError('forbidden', `your role (${actor.role}) may not remove a ${current.role}`);
    await tx.debateMember.delete({ where: key });
    await audit(tx, actor, {
      debateId,
      action: leaving ? 'member.leave' : 'member.remove',
      target: userId,
      detail: { role: current.role },
    });
  });
  await accessChanged(rt, { debateIds: [debateId] });
}

// ---- teams -----------------------------------------------------------------------------------

export async function createTeam(prisma: PrismaClient, actor: Actor & { id: string }, input: CreateTeamInput): Promise<TeamSummary> {
  const { name } = createTeamSchema.parse(input);
  const id = newSecureId();
  await prisma.$transaction(async (tx) => {
    await tx.team.create({ data: { id, name, members: { create: { userId: actor.id, role: 'owner' } } } });
    await audit(tx, actor, { teamId: id, action: 'team.create', detail: { name } });
  });
  return { id, name, role: 'owner', members: 1 };
}

export async function listTeams(prisma: PrismaClient, userId: string): Promise<TeamSummary[]> {
  const rows = await prisma.teamMember.findMany({
    where: { userId },
    include: { team: { select: { id: true, name: true, _count: { select: { members: true } } } } },
    orderBy: { createdAt: 'asc' },
  });
  return rows.map((r) => ({ id: r.team.id, name: r.team.name, role: asRole(r.role) ?? 'viewer', members: r.team._count.members }));
}

export async function getTeam(prisma: PrismaClient, teamId: string, role: Role): Promise<TeamDetail> {
  const t = await prisma.team.findUniqueOrThrow({
    where: { id: teamId },
    include: { members: { include: USER, orderBy: { createdAt: 'asc' } } },
  });
  return { id: t.id, name: t.name, role, members: t.members.map(toMember) };
}

async function ownerCount(tx: Pick<PrismaClient, 'teamMember'>, teamId: string): Promise<number> {
  return tx.teamMember.count({ where: { teamId, role: 'owner' } });
}

export async function setTeamMemberRole(rt: Runtime, teamId: string, actor: Acting, userId: string, role: Role): Promise<MemberInfo> {
  const row = await rt.db.prisma.$transaction(async (tx) => {
    const key = { teamId_userId: { teamId, userId } };
    const current = await tx.teamMember.findUnique({ where: key });
    if (!current) throw new ApiError('not_found', 'not a member of this team');
    if (!canAssignRole(actor.role, asRole(current.role), role, { allowOwner: true }))
      throw new ApiError('forbidden', `your role (${actor.role}) may not change ${current.role} to ${role}`);
    if (current.role === 'owner' && role !== 'owner' && (await ownerCount(tx, teamId)) <= 1)
      throw new ApiError('conflict', 'a team needs an owner: make someone else owner first');
    const updated = await tx.teamMember.update({ where: key, data: { role }, include: USER });
    await audit(tx, actor, { teamId, action: 'member.role', target: userId, detail: { from: current.role, to: role } });
    return updated;
  });
  await accessChanged(rt, { teamId, userId });
  return toMember(row);
}

export async function renameTeam(prisma: PrismaClient, teamId: string, actor: Acting, input: CreateTeamInput): Promise<TeamSummary> {
  const { name } = createTeamSchema.parse(input);
  const t = await prisma.$transaction(async (tx) => {
    const before = await tx.team.findUniqueOrThrow({ where: { id: teamId }, select: { name: true } });
    const row = await tx.team.update({ where: { id: teamId }, data: { name }, include: { _count: { select: { members: true } } } });
    await audit(tx, actor, { teamId, action: 'team.rename', detail: { from: before.name, to: name } });
    return row;
  });
  return { id: t.id, name: t.name, role: actor.role ?? 'viewer', members: t._count.members };
}

/**
 * Deletes a team with its memberships and invite links. A team that still owns debates is kept
 * (409): deleting it must not take debates, their evidence and votes with it, so they are
 * transferred or deleted one by one first. The audit entry outlives the team.
 */
export async function deleteTeam(rt: Runtime, teamId: string, actor: Acting): Promise<void> {
  const members = await rt.db.prisma.$transaction(async (tx) => {
    const owned = await tx.debate.count({ where: { ownerTeamId: teamId } });
    if (owned > 0)
      throw new ApiError(
        'conflict',
        `the team still owns ${owned} debate${owned === 1 ? '' : 's'}: transfer or delete ${owned === 1 ? 'it' : 'them'} first`,
      );
    const team = await tx.team.findUniqueOrThrow({ where: { id: teamId }, select: { name: true, members: { select: { userId: true } } } });
    await tx.team.delete({ where: { id: teamId } });
    await audit(tx, actor, { teamId, action: 'team.delete', detail: { name: team.name, members: team.members.length } });
    return team.members.map((m) => m.userId);
  });
  await Promise.all(members.map((userId) => accessChanged(rt, { userId })));
}

/** Removes a member, or lets a member leave; the last owner cannot go. */
export async function removeTeamMember(rt: Runtime, teamId: string, actor: Acting, userId: string): Promise<void> {
  await rt.db.prisma.$transaction(async (tx) => {
    const key = { teamId_userId: { teamId, userId } };
    const current = await tx.teamMember.findUnique({ where: key });
    if (!current) throw new ApiError('not_found', 'not a member of this team');
    const leaving = userId === actor.id;
    if (!leaving && !canAssignRole(actor.role, asRole(current.role), null, { allowOwner: true }))
      throw new ApiError('forbidden', `your role (${actor.role}) may not remove a ${current.role}`);
    if (current.role === 'owner' && (await ownerCount(tx, teamId)) <= 1)
      throw new ApiError('conflict', 'a team needs an owner: make someone else owner first');
    await tx.teamMember.delete({ where: key });
    await audit(tx, actor, { teamId, action: leaving ? 'member.leave' : 'member.remove', target: userId, detail: { role: current.role } });
  });
  await accessChanged(rt, { teamId, userId });
}
