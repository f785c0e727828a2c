import { newId } from '../../lib/model/doc';
import type { Phase, Principal, Role } from '../../lib/permissions';
import { PHASE_TOPIC, type PhaseDto, type SetPhaseInput, type StandingDto } from '../../lib/schemas/phase';
import type { Semantics } from '../../lib/scoring/types';
import { accessChanged } from '../access/changes';
import { asPhase } from '../access/grants';
import type { Prisma } from '../db/generated/client';
import { ApiError } from '../http/errors';
import type { Runtime } from '../runtime';
import { audit, type Actor } from './audit';
import { strengthReport } from './strength';
import type { VoteDeps } from './votes';

type StandingRow = Prisma.DebateStandingGetPayload<object>;

const toDto = (r: StandingRow): StandingDto => ({
  id: r.id,
  debateId: r.debateId,
  closedAt: r.closedAt.toISOString(),
  closedBy: { id: r.closedById, name: r.closedByName },
  semantics: r.semantics as Semantics,
  thesis: (r.thesis as StandingDto['thesis']) ?? null,
  scores: r.scores as StandingDto['scores'],
  voteCount: r.voteCount,
});

/** Recorded closings, newest first. */
export async function listStandings(deps: Pick<VoteDeps, 'db'>, debateId: string, limit: number): Promise<StandingDto[]> {
  const rows = await deps.db.prisma.debateStanding.findMany({
    where: { debateId },
    orderBy: [{ closedAt: 'desc' }, { id: 'desc' }],
    take: limit,
  });
  return rows.map(toDto);
}

export async function getPhase(deps: Pick<VoteDeps, 'db'>, debateId: string): Promise<PhaseDto> {
  const [d, latest] = await Promise.all([
    deps.db.prisma.debate.findUnique({ where: { id: debateId }, select: { phase: true } }),
    listStandings(deps, debateId, 1),
  ]);
  if (!d) throw new ApiError('not_found', `debate ${debateId} not found`);
  return { phase: asPhase(d.phase), standing: latest[0] ?? null };
}

/** Who changes the phase: their audit identity, and what scoring everyone's votes needs to know of them. */
export interface PhaseActor extends Actor {
  principal: Principal;
  role: Role | null;
}

/**
 * Moves the debate to another phase (any to any; the same phase again is a 409). The phase row
 * update waits for votes being written (they share-lock the row, server/services/votes.ts), so a
 * closing's standing, scored right after from everyone's votes, holds every accepted vote.
 * Phase changes of one debate are serialised (an advisory lock, across instances) so that a
 * re-opening cannot slip between a closing and its standing. Open sockets are re-checked before
 * this returns: in voting and closed the map is read-only for everybody.
 */
export async function setPhase(rt: Runtime, debateId: string, actor: PhaseActor, input: SetPhaseInput): Promise<PhaseDto> {
  const next = input.phase;
  const semantics = input.semantics ?? 'dfquad';
  const prisma = rt.db.prisma;
  const lockKey = `crux.phase:${debateId}`;
  const dto = await rt.db.sql.session(async (s) => {
    await s.query('SELECT pg_advisory_lock(hashtext($1))', [lockKey]);
    try {
      const from = await prisma.$transaction(async (tx) => {
        const rows = await tx.$queryRaw<{ phase: string }[]>`SELECT "phase" FROM "Debate" WHERE "id" = ${debateId} FOR UPDATE`;
        if (!rows[0]) throw new ApiError('not_found', `debate ${debateId} not found`);
        const current = asPhase(rows[0].phase);
        if (current === next)
          throw new ApiError('conflict', `the debate is already ${next}`, [{ field: 'phase', message: `already ${next}` }]);
        await tx.debate.update({ where: { id: debateId }, data: { phase: next } });
        await audit(tx, actor, { debateId, action: 'debate.phase', detail: { from: current, to: next } });
        return current;
      });
      if (next !== 'closed') return { phase: next, standing: (await listStandings(rt, debateId, 1))[0] ?? null };
      try {
        return { phase: next, standing: await recordStanding(rt, debateId, actor, semantics) };
      } catch (e) {
        // No closing without its standing: put the phase back, so the moderator can try again.
        await prisma.$transaction(async (tx) => {
          await tx.debate.update({ where: { id: debateId }, data: { phase: from } });
          await audit(tx, actor, { debateId, action: 'debate.phase', detail: { from: next, to: from, reason: 'standing-failed' } });
        });
        throw e;
      }
    } finally {
      await s.query('SELECT pg_advisory_unlock(hashtext($1))', [lockKey]);
    }
  });
  // A failed closing changed the phase twice; its sockets and clients are told by the same path.
  await accessChanged(rt, { debateIds: [debateId] });
  await rt.live.publish({ debateId, topic: PHASE_TOPIC }).catch(() => undefined);
  return dto;
}

async function recordStanding(rt: Runtime, debateId: string, actor: PhaseActor, semantics: Semantics): Promise<StandingDto> {
  const phase: Phase = 'closed';
  const [report, voteCount] = await Promise.all([
    strengthReport(rt, debateId, { semantics, perspective: 'everyone' }, { principal: actor.principal, role: actor.role, phase }),
    rt.db.prisma.vote.count({ where: { debateId } }),
  ]);
  const row = await rt.db.prisma.debateStanding.create({
    data: {
      id: newId(),
      debateId,
      closedById: actor.id,
      closedByName: actor.name,
      semantics,
      thesis: report.thesis ?? undefined,
      scores: report.scores,
      voteCount,
    },
  });
  return toDto(row);
}
