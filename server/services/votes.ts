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
import { denial } from '../access/guard';
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
 * Is the target live in the document? Claims are looked up in the projection first (inside the
 * upsert); since it lags the document by up to PROJECT_DELAY_MS, a miss (or a deletion just
 * undone) is checked here against the document itself. Relations exist only in the document.
 */
async function requireTargetInDoc(deps: VoteDeps, debateId: string, kind: VoteTarget, targetId: string): Promise<void> {
  const graph = await currentGraph(deps, debateId);
  if (kind === 'claim') {
    if (graph.claims.some((c) => c.id === targetId)) return;
    const row = await deps.db.prisma.debateClaim.findUnique({
      where: { debateId_claimId: { debateId, claimId: targetId } },
      select: { deleted: true },
    });
    throw unknownTarget(row ? `claim ${targetId} was deleted` : `no claim ${targetId} in this debate`);
  }
  if (!graph.relations.some((r) => r.id === targetId)) throw unknownTarget(`no relation ${targetId} in this debate`);
}

/**
 * The debate row, share-locked while it is open for votes, in every statement that writes a
 * vote. Closing a debate updates that row, so it waits for votes already being written, and a
 * vote that waited on the closing re-reads the row and finds it closed: the standing recorded
 * at closing holds exactly the votes that were accepted.
 */
const OPEN_FOR_VOTES = `SELECT 1 FROM "Debate" WHERE "id" = $1 AND "phase" <> 'closed' FOR SHARE`;

const closedNow = () => denial('phase-closed', 'vote.cast', null);

/** Per debate: the announcement being sent, and the one queued behind it. */
const announcing = new WeakMap<VoteDeps['live'], Map<string, { queued: boolean }>>();

/**
 * Tells the debate's clients that votes changed. Every NOTIFY commits through one lock shared by
 * the whole Postgres cluster, so a burst of votes must not become a burst of notifications:
 * while one 'votes' event for a debate is being sent, later votes share a single follow-up
 * event (which leaves after they committed). Everyone still hears of every vote within a
 * couple of round trips; the vote's response does not wait for it.
 */
function announceVotes(deps: VoteDeps, debateId: string): void {
  let byDebate = announcing.get(deps.live);
  if (!byDebate) announcing.set(deps.live, (byDebate = new Map()));
  const current = byDebate.get(debateId);
  if (current) {
    current.queued = true;
    return;
  }
  const entry = { queued: false };
  const send = async (): Promise<void> => {
    try {
      await deps.live.publish({ debateId, topic: VOTES_TOPIC });
    } catch (e) {
      console.error('[votes] could not announce a vote:', e instanceof Error ? e.message : e);
    }
    if (entry.queued) {
      entry.queued = false;
      return send();
    }
    byDebate.delete(debateId);
  };
  byDebate.set(debateId, entry);
  void send();
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

/** Every tally of the debate; with `voters`, tallies of those people's votes only. */
export async function voteTallies(deps: VoteDeps, debateId: string, voters?: readonly string[]): Promise<VoteTallyDto[]> {
  const rows = await deps.db.prisma.vote.groupBy({
    by: ['targetKind', 'targetId', 'value'],
    where: { debateId, ...(voters === undefined ? {} : { userKey: { in: [...voters] } }) },
    _count: { _all: true },
  });
  return foldTallies(rows.map((r) => ({ targetKind: r.targetKind, targetId: r.targetId, value: r.value, count: r._count._all })));
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
 * Casts or changes a vote in one statement: the phase gate, the target check (a live claim in
 * the projection; relations and projection misses are checked in the document first), the
 * INSERT … ON CONFLICT DO UPDATE on the unique (debate, target, user) key, and the target's
 * other votes for the tally. Concurrent requests by one person leave exactly one row (whichever
 * value committed last) and never fail on the constraint.
 */
export async function castVote(deps: VoteDeps, debateId: string, userKey: string, input: CastVote): Promise<CastVoteResult> {
  let checked = false;
  if (input.targetKind === 'relation') {
    await requireTargetInDoc(deps, debateId, input.targetKind, input.targetId);
    checked = true;
  }
  for (;;) {
    const [r] = await deps.db.sql.query<{
      open: number;
      found: number;
      vote: { value: number; updatedAt: string } | null;
      others: { value: number; n: number }[];
    }>(
      `WITH gate AS (${OPEN_FOR_VOTES}),
       target AS (
         SELECT 1 WHERE $7::boolean OR EXISTS (
           SELECT 1 FROM "DebateClaim" WHERE "debateId" = $1 AND "claimId" = $3 AND NOT "deleted")),
       up AS (
         INSERT INTO "Vote" ("id", "debateId", "targetKind", "targetId", "userKey", "value")
         SELECT $5, $1, $2, $3, $4, $6 FROM gate, target
         ON CONFLICT ("debateId", "targetKind", "targetId", "userKey")
         DO UPDATE SET "value" = EXCLUDED."value", "updatedAt" = CURRENT_TIMESTAMP
         RETURNING "value", "updatedAt"),
       -- The statement's snapshot does not see its own upsert: the tally is the others' votes plus this one.
       others AS (
         SELECT "value", count(*)::int AS n FROM "Vote"
          WHERE "debateId" = $1 AND "targetKind" = $2 AND "targetId" = $3 AND "userKey" <> $4
          GROUP BY "value")
       SELECT (SELECT count(*)::int FROM gate) AS open,
              (SELECT count(*)::int FROM target) AS found,
              (SELECT json_build_object('value', "value", 'updatedAt', "updatedAt") FROM up) AS vote,
              (SELECT coalesce(json_agg(json_build_object('value', "value", 'n', n)), '[]'::json) FROM others) AS others`,
      [debateId, input.targetKind, input.targetId, userKey, newId(), input.value, checked],
    );
    if (!r || r.open === 0) throw closedNow();
    if (r.vote) {
      announceVotes(deps, debateId);
      const [tally] = foldTallies([
        ...r.others.map((o) => ({ targetKind: input.targetKind, targetId: input.targetId, value: o.value, count: Number(o.n) })),
        { targetKind: input.targetKind, targetId: input.targetId, value: r.vote.value, count: 1 },
      ]);
      return {
        vote: {
          targetKind: input.targetKind,
          targetId: input.targetId,
          value: r.vote.value,
          updatedAt: new Date(r.vote.updatedAt).toISOString(),
        },
        tally: tally!,
      };
    }
    if (checked) throw unknownTarget(`no ${input.targetKind} ${input.targetId} in this debate`);
    // Not (or no longer) a live claim in the projection: ask the document, then write without the projection check.
    await requireTargetInDoc(deps, debateId, input.targetKind, input.targetId);
    checked = true;
  }
}

/** Retracts the caller's vote; retracting a vote that is not there is a no-op (idempotent DELETE). */
export async function retractVote(deps: VoteDeps, debateId: string, userKey: string, target: RetractVote): Promise<void> {
  const [r] = await deps.db.sql.query<{ open: number; deleted: number }>(
    `WITH gate AS (${OPEN_FOR_VOTES}),
     del AS (
       DELETE FROM "Vote" v USING gate
        WHERE v."debateId" = $1 AND v."targetKind" = $2 AND v."targetId" = $3 AND v."userKey" = $4
       RETURNING 1)
     SELECT (SELECT count(*)::int FROM gate) AS open, (SELECT count(*)::int FROM del) AS deleted`,
    [debateId, target.targetKind, target.targetId, userKey],
  );
  if (!r || r.open === 0) throw closedNow();
  if (r.deleted > 0) announceVotes(deps, debateId);
}
