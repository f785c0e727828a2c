import * as Y from 'yjs';
import { initDoc, newId } from '../../lib/model/doc';
import { CloseCode, CloseReason } from '../../lib/protocol';
import type { DebateSummary } from '../../lib/schemas/debate';
import {
  createOwnedDebateSchema,
  type CreateOwnedDebateInput,
  type DebateListItem,
  type SetVisibilityInput,
  type TransferInput,
} from '../../lib/schemas/access';
import { canTeam, type Principal, type Visibility } from '../../lib/permissions';
import type { PrismaClient } from '../db/client';
import { ApiError } from '../http/errors';
import type { Runtime } from '../runtime';
import { asRole } from '../access/grants';
import { accessChanged } from '../access/changes';
import { audit, type Actor } from './audit';

type DebateRow = {
  id: string;
  title: string;
  description: string;
  createdAt: Date;
  updatedAt: Date;
  visibility: string;
  ownerUserId: string | null;
  ownerTeamId: string | null;
};

export const toSummary = (d: Pick<DebateRow, 'id' | 'title' | 'description' | 'createdAt' | 'updatedAt'>): DebateSummary => ({
  id: d.id,
  title: d.title,
  description: d.description,
  createdAt: d.createdAt.toISOString(),
  updatedAt: d.updatedAt.toISOString(),
});

const toListItem = (d: DebateRow): DebateListItem => ({
  ...toSummary(d),
  visibility: d.visibility as Visibility,
  owner: d.ownerUserId ? { kind: 'user', id: d.ownerUserId } : d.ownerTeamId ? { kind: 'team', id: d.ownerTeamId } : null,
});

/**
 * The debates a principal may see listed: public ones, their own, those they are a member of,
 * and their teams' (team owners see their team's private ones too). Link-visible debates are
 * listed only for those who joined them: knowing the link is the point.
 */
export async function listDebates(
  prisma: PrismaClient,
  principal: Principal,
  opts: { limit: number; cursor?: string },
): Promise<{ items: DebateListItem[]; nextCursor: string | null }> {
  const visible: object[] = [{ visibility: 'public' }];
  if (principal.userId) {
    const userId = principal.userId;
    const [memberships, teams] = await Promise.all([
      prisma.debateMember.findMany({ where: { userId }, select: { debateId: true } }),
      prisma.teamMember.findMany({ where: { userId }, select: { teamId: true, role: true } }),
    ]);
    visible.push({ ownerUserId: userId });
    if (memberships.length > 0) visible.push({ id: { in: memberships.map((m) => m.debateId) } });
    const teamIds = teams.map((t) => t.teamId);
    if (teamIds.length > 0) visible.push({ ownerTeamId: { in: teamIds }, visibility: { not: 'private' } });
    const ownedTeams = teams.filter((t) => t.role === 'owner').map((t) => t.teamId);
    if (ownedTeams.length > 0) visible.push({ ownerTeamId: { in: ownedTeams } });
  }
  const rows = await prisma.debate.findMany({
    where: { OR: visible },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: opts.limit + 1,
    ...(opts.cursor ? { cursor: { id: opts.cursor }, skip: 1 } : {}),
    select: {
      id: true,
      title: true,
      description: true,
      createdAt: true,
      updatedAt: true,
      visibility: true,
      ownerUserId: true,
      ownerTeamId: true,
    },
  });
  const more = rows.length > opts.limit;
  const items = rows.slice(0, opts.limit).map(toListItem);
  return { items, nextCursor: more ? (items[items.length - 1]?.id ?? null) : null };
}

export async function getDebate(prisma: PrismaClient, id: string): Promise<DebateSummary | null> {
  const d = await prisma.debate.findUnique({ where: { id } });
  return d ? toSummary(d) : null;
}

export type DebateOwner = { kind: 'user'; userId: string } | { kind: 'team'; teamId: string };

/**
 * Creates the debate row and its initial document (schema version stamped) in one transaction.
 * With an owner (every API-made debate) it records ownership and visibility: private for a
 * person's debate, team for a team's, unless the input says otherwise. Without one it is a
 * shared debate with the column defaults (public, participants), like the seeded demo.
 */
export async function createDebate(
  prisma: PrismaClient,
  input: CreateOwnedDebateInput,
  id = newId(),
  owner?: DebateOwner,
  actor?: Actor,
): Promise<DebateSummary> {
  const data = createOwnedDebateSchema.parse(input);
  const doc = new Y.Doc();
  initDoc(doc);
  // Prisma wants an ArrayBuffer-backed array; Yjs types its output as ArrayBufferLike.
  const snapshot = new Uint8Array(Y.encodeStateAsUpdate(doc));
  doc.destroy();
  const visibility: Visibility | undefined = data.visibility ?? (owner ? (owner.kind === 'team' ? 'team' : 'private') : undefined);
  if (visibility === 'team' && owner?.kind !== 'team')
    throw new ApiError('unprocessable', 'only a team debate can be visible to its team', [
      { field: 'visibility', message: 'choose a team first' },
    ]);
  const debate = await prisma.$transaction(async (tx) => {
    const row = await tx.debate.create({
      data: {
        id,
        title: data.title,
        description: data.description,
        ...(owner?.kind === 'user' ? { ownerUserId: owner.userId } : {}),
        ...(owner?.kind === 'team' ? { ownerTeamId: owner.teamId } : {}),
        ...(visibility ? { visibility } : {}),
        ...(owner ? { publicRole: data.publicRole } : {}),
      },
    });
    await tx.docSnapshot.create({ data: { debateId: id, data: snapshot } });
    if (actor)
      await audit(tx, actor, { debateId: id, action: 'debate.create', detail: { visibility: row.visibility, owner: owner ?? null } });
    return row;
  });
  return toSummary(debate);
}

/** POST /api/debates: in a team needs a participant (or higher) role in it; otherwise the creator owns it. */
export async function createDebateAs(rt: Runtime, userId: string, actor: Actor, input: CreateOwnedDebateInput): Promise<DebateSummary> {
  const data = createOwnedDebateSchema.parse(input);
  let owner: DebateOwner = { kind: 'user', userId };
  if (data.teamId) {
    const m = await rt.db.prisma.teamMember.findUnique({
      where: { teamId_userId: { teamId: data.teamId, userId } },
      select: { role: true },
    });
    if (!canTeam(asRole(m?.role), 'team.debate.create'))
      throw new ApiError('forbidden', 'you need a participant role in that team to start a debate in it', [
        { field: 'teamId', message: 'not a team you can start debates in' },
      ]);
    owner = { kind: 'team', teamId: data.teamId };
  }
  return createDebate(rt.db.prisma, data, newId(), owner, actor);
}

export async function setVisibility(
  rt: Runtime,
  debateId: string,
  actor: Actor,
  input: SetVisibilityInput,
): Promise<{ visibility: Visibility; publicRole: string }> {
  const prisma = rt.db.prisma;
  const out = await prisma.$transaction(async (tx) => {
    const d = await tx.debate.findUniqueOrThrow({
      where: { id: debateId },
      select: { ownerTeamId: true, visibility: true, publicRole: true },
    });
    if (input.visibility === 'team' && !d.ownerTeamId)
      throw new ApiError('unprocessable', 'only a team debate can be visible to its team', [
        { field: 'visibility', message: 'transfer the debate to a team first' },
      ]);
    const row = await tx.debate.update({
      where: { id: debateId },
      data: { visibility: input.visibility, ...(input.publicRole ? { publicRole: input.publicRole } : {}) },
      select: { visibility: true, publicRole: true },
    });
    await audit(tx, actor, {
      debateId,
      action: 'debate.visibility',
      detail: { from: { visibility: d.visibility, publicRole: d.publicRole }, to: row },
    });
    return row;
  });
  await accessChanged(rt, { debateIds: [debateId] });
  return { visibility: out.visibility as Visibility, publicRole: out.publicRole };
}

export async function setLocked(rt: Runtime, debateId: string, actor: Actor, locked: boolean): Promise<{ locked: boolean }> {
  await rt.db.prisma.$transaction(async (tx) => {
    await tx.debate.update({ where: { id: debateId }, data: { locked } });
    await audit(tx, actor, { debateId, action: locked ? 'debate.lock' : 'debate.unlock' });
  });
  await accessChanged(rt, { debateIds: [debateId] });
  return { locked };
}

/**
 * Hands the debate to another person (who must already have a role on it) or to a team (in
 * which the actor must be an owner). A person who gives a debate away stays on it as moderator.
 */
export async function transferDebate(rt: Runtime, debateId: string, actor: Actor & { id: string }, input: TransferInput): Promise<void> {
  const prisma = rt.db.prisma;
  await prisma.$transaction(async (tx) => {
    const d = await tx.debate.findUniqueOrThrow({
      where: { id: debateId },
      select: { ownerUserId: true, ownerTeamId: true, visibility: true },
    });
    if (input.to.kind === 'user') {
      const to = input.to.userId;
      if (to === d.ownerUserId)
        throw new ApiError('unprocessable', 'they already own it', [{ field: 'to.userId', message: 'already the owner' }]);
      const member = await tx.debateMember.findUnique({ where: { debateId_userId: { debateId, userId: to } } });
      const inTeam = d.ownerTeamId
        ? await tx.teamMember.findUnique({ where: { teamId_userId: { teamId: d.ownerTeamId, userId: to } } })
        : null;
      const user = await tx.user.findUnique({ where: { id: to }, select: { isAnonymous: true } });
      if (!user || (!member && !inTeam))
        throw new ApiError('unprocessable', 'transfer to someone who already has a role on this debate', [
          { field: 'to.userId', message: 'not a member' },
        ]);
      if (user.isAnonymous) throw new ApiError('unprocessable', 'guests cannot own debates', [{ field: 'to.userId', message: 'a guest' }]);
      await tx.debate.update({
        where: { id: debateId },
        // A team debate becoming personal cannot stay team-visible.
        data: { ownerUserId: to, ownerTeamId: null, ...(d.visibility === 'team' ? { visibility: 'private' } : {}) },
      });
      await tx.debateMember.deleteMany({ where: { debateId, userId: to } });
    } else {
      const teamId = input.to.teamId;
      const m = await tx.teamMember.findUnique({ where: { teamId_userId: { teamId, userId: actor.id } }, select: { role: true } });
      if (m?.role !== 'owner')
        throw new ApiError('forbidden', 'you can only transfer to a team you own', [{ field: 'to.teamId', message: 'not a team you own' }]);
      if (teamId === d.ownerTeamId)
        throw new ApiError('unprocessable', 'the team already owns it', [{ field: 'to.teamId', message: 'already the owner' }]);
      await tx.debate.update({ where: { id: debateId }, data: { ownerTeamId: teamId, ownerUserId: null } });
    }
    if (d.ownerUserId && d.ownerUserId !== (input.to.kind === 'user' ? input.to.userId : null)) {
      await tx.debateMember.upsert({
        where: { debateId_userId: { debateId, userId: d.ownerUserId } },
        create: { debateId, userId: d.ownerUserId, role: 'moderator' },
        update: { role: 'moderator' },
      });
    }
    await audit(tx, actor, {
      debateId,
      action: 'debate.transfer',
      target: input.to.kind === 'user' ? input.to.userId : input.to.teamId,
      detail: { to: input.to },
    });
  });
  await accessChanged(rt, { debateIds: [debateId] });
}

/** Deletes the debate and everything in it; its open sockets close with debate-not-found. */
export async function deleteDebate(rt: Runtime, debateId: string, actor: Actor): Promise<void> {
  // Sockets first, so no write races the cascade; their pending writes fail on the missing row.
  const room = await rt.rooms.peek(debateId)?.catch(() => undefined);
  if (room) for (const p of [...room.peers.keys()]) p.close(CloseCode.DebateNotFound, CloseReason[CloseCode.DebateNotFound]);
  await rt.writer.drain();
  await rt.db.prisma.$transaction(async (tx) => {
    await tx.debate.delete({ where: { id: debateId } });
    await audit(tx, actor, { debateId, action: 'debate.delete' });
  });
  await accessChanged(rt, { debateIds: [debateId] });
}
