import { maxRole, type MemberRole } from '../../lib/permissions';
import type { InviteInfo, InvitePreview } from '../../lib/schemas/access';
import type { PrismaClient } from '../db/client';
import { ApiError } from '../http/errors';
import type { Runtime } from '../runtime';
import { asRole } from '../access/grants';
import { hashToken, looksLikeToken, newInviteToken, newSecureId } from '../access/tokens';
import { accessChanged } from '../access/changes';
import { audit, type Actor } from './audit';

export type InviteTarget = { kind: 'team'; teamId: string } | { kind: 'debate'; debateId: string };

const targetWhere = (t: InviteTarget) => (t.kind === 'team' ? { teamId: t.teamId } : { debateId: t.debateId });
const auditWhere = (t: InviteTarget) => (t.kind === 'team' ? { teamId: t.teamId } : { debateId: t.debateId });

/** The path of an invite link; the page there explains the invite and lets people join. */
export const invitePath = (token: string): string => `/invite/${token}`;

type InviteRow = {
  id: string;
  role: string;
  createdAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
  uses: number;
  createdBy: { name: string } | null;
};

const toInfo = (r: InviteRow): InviteInfo => ({
  id: r.id,
  role: asRole(r.role) ?? 'viewer',
  createdAt: r.createdAt.toISOString(),
  expiresAt: r.expiresAt.toISOString(),
  revokedAt: r.revokedAt?.toISOString() ?? null,
  uses: r.uses,
  createdBy: r.createdBy?.name ?? null,
});

/** Makes a link carrying `role`, valid for `hours`. The secret appears once, in the returned url. */
export async function createInvite(
  prisma: PrismaClient,
  target: InviteTarget,
  actor: Actor & { id: string },
  role: MemberRole,
  hours: number,
): Promise<InviteInfo> {
  const token = newInviteToken();
  const row = await prisma.$transaction(async (tx) => {
    const created = await tx.invite.create({
      data: {
        id: newSecureId(),
        tokenHash: hashToken(token),
        ...targetWhere(target),
        role,
        createdById: actor.id,
        expiresAt: new Date(Date.now() + hours * 3_600_000),
      },
      include: { createdBy: { select: { name: true } } },
    });
    await audit(tx, actor, { ...auditWhere(target), action: 'invite.create', target: created.id, detail: { role, hours } });
    return created;
  });
  return { ...toInfo(row), url: invitePath(token) };
}

export async function listInvites(prisma: PrismaClient, target: InviteTarget): Promise<InviteInfo[]> {
  const rows = await prisma.invite.findMany({
    where: targetWhere(target),
    orderBy: { createdAt: 'desc' },
    include: { createdBy: { select: { name: true } } },
  });
  return rows.map(toInfo);
}

/** Revoking stops the link from being accepted (and, for link-visible debates, from granting access). Memberships it made stay. */
export async function revokeInvite(rt: Runtime, target: InviteTarget, inviteId: string, actor: Actor): Promise<void> {
  await rt.db.prisma.$transaction(async (tx) => {
    const n = await tx.invite.updateMany({
      where: { id: inviteId, ...targetWhere(target), revokedAt: null },
      data: { revokedAt: new Date() },
    });
    if (n.count === 0) {
      const exists = await tx.invite.count({ where: { id: inviteId, ...targetWhere(target) } });
      if (!exists) throw new ApiError('not_found', `invite ${inviteId} not found`);
      return;
    }
    await audit(tx, actor, { ...auditWhere(target), action: 'invite.revoke', target: inviteId });
  });
  if (target.kind === 'debate') await accessChanged(rt, { debateIds: [target.debateId] });
}

async function findInvite(prisma: PrismaClient, token: string) {
  if (!looksLikeToken(token)) return null;
  return prisma.invite.findUnique({
    where: { tokenHash: hashToken(token) },
    include: { team: { select: { name: true } } },
  });
}

export async function previewInvite(prisma: PrismaClient, token: string): Promise<InvitePreview> {
  const inv = await findInvite(prisma, token);
  if (!inv) throw new ApiError('not_found', 'this invite link is not valid');
  let targetName = inv.team?.name ?? '';
  if (inv.debateId) targetName = (await prisma.debate.findUnique({ where: { id: inv.debateId }, select: { title: true } }))?.title ?? '';
  const problem = inv.revokedAt ? 'revoked' : inv.expiresAt.getTime() <= Date.now() ? 'expired' : null;
  return {
    kind: inv.teamId ? 'team' : 'debate',
    targetId: (inv.teamId ?? inv.debateId)!,
    targetName,
    role: asRole(inv.role) ?? 'viewer',
    expiresAt: inv.expiresAt.toISOString(),
    valid: problem === null,
    problem,
  };
}

/**
 * Joins the invite's team or debate with its role. Never lowers a role someone already has: a
 * moderator who opens a viewer link stays moderator.
 */
export async function acceptInvite(rt: Runtime, token: string, user: { id: string; name: string }): Promise<InvitePreview> {
  const prisma = rt.db.prisma;
  const inv = await findInvite(prisma, token);
  if (!inv) throw new ApiError('not_found', 'this invite link is not valid');
  if (inv.revokedAt) throw new ApiError('forbidden', 'this invite link was revoked');
  if (inv.expiresAt.getTime() <= Date.now()) throw new ApiError('forbidden', 'this invite link has expired');
  const offered = asRole(inv.role) ?? 'viewer';
  await prisma.$transaction(async (tx) => {
    if (inv.teamId) {
      const key = { teamId_userId: { teamId: inv.teamId, userId: user.id } };
      const current = asRole((await tx.teamMember.findUnique({ where: key, select: { role: true } }))?.role);
      const role = maxRole(current, offered)!;
      if (role !== current) {
        await tx.teamMember.upsert({ where: key, create: { teamId: inv.teamId, userId: user.id, role }, update: { role } });
        await audit(
          tx,
          { id: user.id, name: user.name },
          { teamId: inv.teamId, action: 'member.add', target: user.id, detail: { role, via: 'invite', invite: inv.id } },
        );
      }
    } else if (inv.debateId) {
      const debateId = inv.debateId;
      const d = await tx.debate.findUnique({ where: { id: debateId }, select: { ownerUserId: true } });
      if (!d) throw new ApiError('not_found', 'the debate of this invite no longer exists');
      if (d.ownerUserId !== user.id) {
        const key = { debateId_userId: { debateId, userId: user.id } };
        const current = asRole((await tx.debateMember.findUnique({ where: key, select: { role: true } }))?.role);
        const role = maxRole(current, offered)!;
        if (role !== current) {
          await tx.debateMember.upsert({ where: key, create: { debateId, userId: user.id, role }, update: { role } });
          await audit(
            tx,
            { id: user.id, name: user.name },
            { debateId, action: 'member.add', target: user.id, detail: { role, via: 'invite', invite: inv.id } },
          );
        }
      }
    }
    await tx.invite.update({ where: { id: inv.id }, data: { uses: { increment: 1 } } });
  });
  await accessChanged(rt, inv.teamId ? { teamId: inv.teamId, userId: user.id } : { debateIds: [inv.debateId!], userId: user.id });
  return previewInvite(prisma, token);
}
