import { newId, readGraph } from '../../lib/model/doc';
import type { ArgumentGraph } from '../../lib/model/graph';
import { MAX_VOTE } from '../../lib/scoring/formulas';
import {
  VOTES_TOPIC,
  type CastVote,
  type CastVoteResult,
  type MyVoteDto,
  type RetractVote,
  type VoteTallyDto,
  type VoteTarget,
  type VotesDto,
} from '../../lib/schemas/votes';
import { ApiError } from '../http/errors';
import { loadStoredDoc } from '../projection/claims';
import type { EvidenceDeps } from './sources';

/** The running server's parts the vote and strength services use (Runtime and CruxServer both fit). */
export type VoteDeps = EvidenceDeps;

/**
 * The debate's argument graph as it is now: the loaded room's durable document when the debate
 * is open somewhere, else the stored one (snapshot + update log). Never starts a room load: a
 * read must not keep a document in memory that nobody is editing.
 */
export async function currentGraph(deps: VoteDeps, debateId: string): Promise<ArgumentGraph> {
  const room = await deps.rooms.peek(debateId)?.catch(() => undefined);
  if (room && !room.destroyed) return readGraph(room.doc);
  const doc = await loadStoredDoc(deps.db, debateId);
  try {
    return readGraph(doc);
  } finally {
    doc.destroy();
  }
}

const unknownTarget = (message: string) => new ApiError('unprocessable', 'unknown vote target', [{ field: 'targetId', message }]);

/**
 * A vote needs a live target. Claims are looked up in the projection; since it lags the
 * document by up to PROJECT_DELAY_MS, a miss (or a deletion just undone) is checked against the
 * document itself. Relations exist only in the document.
 */
async function requireTarget(deps: VoteDeps, debateId: string, kind: VoteTarget, targetId: string): Promise<void> {
  if (kind === 'claim') {
    const row = await deps.db.prisma.debateClaim.findUnique({
      where: { debateId_claimId: { debateId, claimId: targetId } },
      select: { deleted: true },
    });
    if (row && !row.deleted) return;
    const graph = await currentGraph(deps, debateId);
    if (graph.claims.some((c) => c.id === targetId)) return;
    throw unknownTarget(row ? `claim ${targetId} was deleted` : `no claim ${targetId} in this debate`);
  }
  const graph = await currentGraph(deps, debateId);
  if (!graph.relations.some((r) => r.id === targetId)) throw unknownTarget(`no relation ${targetId} in this debate`);
}

const emptyTally = (targetKind: VoteTarget, targetId: string): VoteTallyDto => ({
  targetKind,
  targetId,
  count: 0,
  mean: 0,
  distribution: Array.from({ length: MAX_VOTE + 1 }, () => 0),
});

/** Folds (target, value, count) rows into one tally per target. */
function foldTallies(rows: { targetKind: string; targetId: string; value: number; count: number }[]): VoteTallyDto[] {
  const byTarget = new Map<string, VoteTallyDto & { sum: number }>();
  for (const r of rows) {
    const key = `${r.targetKind}\u0000${r.targetId}`;
    let t = byTarget.get(key);
    if (!t) byTarget.set(key, (t = { ...emptyTally(r.targetKind as VoteTarget, r.targetId), sum: 0 }));
    t.distribution[r.value] = (t.distribution[r.value] ?? 0) + r.count;
    t.count += r.count;
    t.sum += r.value * r.count;
  }
  return [...byTarget.values()].map(({ sum, ...t }) => ({ ...t, mean: t.count === 0 ? 0 : sum / t.count }));
}

/** Every tally of the debate; with `userKey`, tallies of that one person's votes only. */
export async function voteTallies(deps: VoteDeps, debateId: string, userKey?: string): Promise<VoteTallyDto[]> {
  const rows = await deps.db.prisma.vote.groupBy({
    by: ['targetKind', 'targetId', 'value'],
    where: { debateId, ...(userKey === undefined ? {} : { userKey }) },
    _count: { _all: true },
  });
  return foldTallies(rows.map((r) => ({ targetKind: r.targetKind, targetId: r.targetId, value: r.value, count: r._count._all })));
}

async function tallyOf(deps: VoteDeps, debateId: string, targetKind: VoteTarget, targetId: string): Promise<VoteTallyDto> {
  const rows = await deps.db.prisma.vote.groupBy({
    by: ['targetKind', 'targetId', 'value'],
    where: { debateId, targetKind, targetId },
    _count: { _all: true },
  });
  const [t] = foldTallies(rows.map((r) => ({ targetKind: r.targetKind, targetId: r.targetId, value: r.value, count: r._count._all })));
  return t ?? emptyTally(targetKind, targetId);
}

const toMine = (v: { targetKind: string; targetId: string; value: number; updatedAt: Date }): MyVoteDto => ({
  targetKind: v.targetKind as VoteTarget,
  targetId: v.targetId,
  value: v.value,
  updatedAt: v.updatedAt.toISOString(),
});

/** GET /votes: all tallies, plus the caller's votes (`userKey` null: a visitor, who has none). */
export async function listVotes(deps: VoteDeps, debateId: string, userKey: string | null): Promise<VotesDto> {
  const [tallies, mine] = await Promise.all([
    voteTallies(deps, debateId),
    userKey === null
      ? []
      : deps.db.prisma.vote.findMany({
          where: { debateId, userKey },
          orderBy: [{ targetKind: 'asc' }, { targetId: 'asc' }],
          select: { targetKind: true, targetId: true, value: true, updatedAt: true },
        }),
  ]);
  return { tallies, mine: mine.map(toMine) };
}

/**
 * Casts or changes a vote. One statement, INSERT … ON CONFLICT DO UPDATE on the unique
 * (debate, target, user) key, so concurrent requests by one person leave exactly one row
 * (whichever value committed last) and never fail on the constraint.
 */
export async function castVote(deps: VoteDeps, debateId: string, userKey: string, input: CastVote): Promise<CastVoteResult> {
  await requireTarget(deps, debateId, input.targetKind, input.targetId);
  await deps.db.sql.query(
    `INSERT INTO "Vote" ("id", "debateId", "targetKind", "targetId", "userKey", "value")
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT ("debateId", "targetKind", "targetId", "userKey")
     DO UPDATE SET "value" = EXCLUDED."value", "updatedAt" = CURRENT_TIMESTAMP`,
    [newId(), debateId, input.targetKind, input.targetId, userKey, input.value],
  );
  await deps.live.publish({ debateId, topic: VOTES_TOPIC });
  const key = { debateId, targetKind: input.targetKind, targetId: input.targetId, userKey };
  const [vote, tally] = await Promise.all([
    deps.db.prisma.vote.findUniqueOrThrow({ where: { debateId_targetKind_targetId_userKey: key } }),
    tallyOf(deps, debateId, input.targetKind, input.targetId),
  ]);
  return { vote: toMine(vote), tally };
}

/** Retracts the caller's vote; retracting a vote that is not there is a no-op (idempotent DELETE). */
export async function retractVote(deps: VoteDeps, debateId: string, userKey: string, target: RetractVote): Promise<void> {
  const { count } = await deps.db.prisma.vote.deleteMany({
    where: { debateId, targetKind: target.targetKind, targetId: target.targetId, userKey },
  });
  if (count > 0) await deps.live.publish({ debateId, topic: VOTES_TOPIC });
}
