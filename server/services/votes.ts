import { claimsMap, newId, readGraph, relationsMap } from '../../lib/model/doc';
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
import { perServer } from '../perServer';

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

/** The claim and relation ids of a stored document, as of one version of the store (storeVersion). */
interface StoredTargets {
  version: string;
  claims: Set<string>;
  relations: Set<string>;
}
/** Debates whose stored targets are kept per instance (a 10,000-claim debate's ids are ~1 MB). */
const STORED_TARGETS_KEPT = 16;
const storedTargets = (deps: VoteDeps): Map<string, StoredTargets> => perServer('storedVoteTargets', deps.live, () => new Map());

/**
 * Changes whenever the stored document can have changed. Rows only come and go in two ways: an
 * append adds rows (the count rises, updatesFolded stays), and a compaction folds rows into the
 * snapshot (updatesFolded rises by as many as it deletes). Each moves (updatesFolded, count)
 * strictly upwards in that order, so a pair seen once never comes back, whatever order
 * concurrent appends commit in.
 */
const STORE_VERSION_SQL = `SELECT (SELECT "updatesFolded" FROM "DocSnapshot" WHERE "debateId" = $1) AS "folded",
       (SELECT count(*) FROM "DocUpdate" WHERE "debateId" = $1) AS "rows"`;

/**
 * The ids a debate's stored document holds, for a debate no room here has loaded (on one
 * instance, nobody has it open; in a cluster, its editors may be on another instance). Read once
 * per version of the store: a relation vote no longer loads and decodes the whole document.
 */
async function storedTargetsOf(deps: VoteDeps, debateId: string): Promise<StoredTargets> {
  const [v] = await deps.db.sql.query<{ folded: unknown; rows: unknown }>(STORE_VERSION_SQL, [debateId], 'crux_doc_store_version');
  const version = `${String(v?.folded ?? '-')}:${String(v?.rows ?? '-')}`;
  const cache = storedTargets(deps);
  const hit = cache.get(debateId);
  if (hit?.version === version) return hit;
  // Read after the version: a document newer than its version only costs one more read later.
  const doc = await loadStoredDoc(deps.db, debateId);
  try {
    const t: StoredTargets = { version, claims: new Set(claimsMap(doc).keys()), relations: new Set(relationsMap(doc).keys()) };
    cache.delete(debateId);
    cache.set(debateId, t);
    if (cache.size > STORED_TARGETS_KEPT) cache.delete(cache.keys().next().value!);
    return t;
  } finally {
    doc.destroy();
  }
}

/**
 * Is the target live in the document? Claims are looked up in the projection first (inside the
 * upsert); since it lags the document by up to PROJECT_DELAY_MS, a miss (or a deletion just
 * undone) is checked here against the document itself. Relations exist only in the document.
 * One lookup in a loaded room's document; otherwise in the stored document's ids.
 */
async function requireTargetInDoc(deps: VoteDeps, debateId: string, kind: VoteTarget, targetId: string): Promise<void> {
  const room = await deps.rooms.peek(debateId)?.catch(() => undefined);
  const live = room && !room.destroyed;
  const found = live
    ? (kind === 'claim' ? claimsMap(room.doc) : relationsMap(room.doc)).has(targetId)
    : (await storedTargetsOf(deps, debateId))[kind === 'claim' ? 'claims' : 'relations'].has(targetId);
  if (found) return;
  if (kind === 'claim') {
    const row = await deps.db.prisma.debateClaim.findUnique({
      where: { debateId_claimId: { debateId, claimId: targetId } },
      select: { deleted: true },
    });
    throw unknownTarget(row ? `claim ${targetId} was deleted` : `no claim ${targetId} in this debate`);
  }
  throw unknownTarget(`no relation ${targetId} in this debate`);
}

/**
 * The debate row, share-locked while it is open for votes, in every statement that writes a
 * vote. Closing a debate updates that row, so it waits for votes already being written, and a
 * vote that waited on the closing re-reads the row and finds it closed: the standing recorded
 * at closing holds exactly the votes that were accepted.
 */
const OPEN_FOR_VOTES = `SELECT 1 FROM "Debate" WHERE "id" = $1 AND "phase" <> 'closed' FOR SHARE`;

const closedNow = () => denial('phase-closed', 'vote.cast', null);

/** Per debate: the announcement being sent (or waiting its turn), and whether another is due after it. */
const announcing = new WeakMap<VoteDeps['live'], Map<string, { queued: boolean }>>();

/**
 * The least time between two 'votes' events of one debate. Each event makes every client of the
 * debate refetch its tallies, and every NOTIFY commits through one lock shared by the whole
 * Postgres cluster: under a burst of votes, one event per interval says everything.
 */
export const VOTES_EVENT_SPACING_MS = 100;

/**
 * Tells the debate's clients that votes changed. The first vote after a quiet interval is
 * announced at once; later ones share a single follow-up event, sent VOTES_EVENT_SPACING_MS after
 * the previous one (so it leaves after they committed). Everyone hears of every vote within
 * about that interval; the vote's response does not wait for it.
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
    const sentAt = Date.now();
    try {
      await deps.live.publish({ debateId, topic: VOTES_TOPIC });
    } catch (e) {
      console.error('[votes] could not announce a vote:', e instanceof Error ? e.message : e);
    }
    // Stays in the map until the interval is over, so that votes meanwhile only mark it queued.
    setTimeout(
      () => {
        if (entry.queued) {
          entry.queued = false;
          void send();
        } else byDebate.delete(debateId);
      },
      Math.max(0, sentAt + VOTES_EVENT_SPACING_MS - Date.now()),
    ).unref();
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

// ---- running tallies ------------------------------------------------------------------------

/**
 * How long this instance answers a vote with its running tally of the target instead of
 * counting the target's votes again. The running tally starts from a count in the vote's own
 * statement and follows every vote cast or retracted through this instance exactly (each
 * statement reports the value it replaced); votes through other instances, and the rare race of
 * one person's concurrent votes on one target, show in it once it is counted again, within
 * TALLY_TTL_MS. GET /votes always counts, and the 'votes' event makes clients refetch it.
 */
export const TALLY_TTL_MS = 1_000;

interface RunningTally {
  /** Votes per value 0…MAX_VOTE. */
  distribution: number[];
  /** Counted at (ms). */
  at: number;
}

/** This instance's running tallies, by debate, target kind and target. */
const runningTallies = (deps: VoteDeps): Map<string, RunningTally> => perServer('runningTallies', deps.live, () => new Map());

const tallyKey = (debateId: string, kind: VoteTarget, targetId: string) => `${debateId}\u0000${kind}\u0000${targetId}`;

/** Moves one vote from `from` to `to` (null: none) in a running tally; false when it cannot have been right. */
function shift(t: RunningTally, from: number | null, to: number | null): boolean {
  if (from !== null) {
    if (!((t.distribution[from] ?? 0) > 0)) return false;
    t.distribution[from]!--;
  }
  if (to !== null) t.distribution[to] = (t.distribution[to] ?? 0) + 1;
  return true;
}

function tallyOf(kind: VoteTarget, targetId: string, distribution: readonly number[]): VoteTallyDto {
  let count = 0;
  let sum = 0;
  for (const [value, n] of distribution.entries()) {
    count += n;
    sum += value * n;
  }
  return { targetKind: kind, targetId, count, mean: count === 0 ? 0 : sum / count, distribution: [...distribution] };
}

/** Keeps a fresh count; stale ones go when the map grows (they would be counted again anyway). */
function remember(tallies: Map<string, RunningTally>, key: string, t: RunningTally): void {
  tallies.set(key, t);
  if (tallies.size > 10_000) for (const [k, old] of tallies) if (t.at - old.at > TALLY_TTL_MS) tallies.delete(k);
}

/*
 * Votes in one statement: the phase gate (once for all of them), then for each vote the target
 * check (a live claim in the projection; relations and projection misses are checked in the
 * document first, `checked`), the INSERT … ON CONFLICT DO UPDATE on the unique (debate, target,
 * user) key, which keeps the value it replaced in "previousValue" and returns it, and, for
 * targets with a vote that asks for a fresh count (`count`), the target's votes by value, counted
 * once per target. The count is the statement's snapshot, which does not see its own upserts.
 *
 * Prepared: parsed once per connection, and planned afresh each time (the pool's
 * plan_cache_mode, server/db/client.ts), so that a plan never outlives the statistics it was
 * made with.
 */
/** For targets with a vote that asks for a fresh count: their votes by value, once per target. */
const COUNTED_CTE = `,
     counted AS (
       SELECT o."targetKind" AS kind, o."targetId" AS target, o."value", count(*)::int AS n
         FROM "Vote" o
        WHERE o."debateId" = $1 AND (o."targetKind", o."targetId") IN (SELECT kind, target FROM input WHERE count)
        GROUP BY 1, 2, 3)`;
const COUNTED_COLUMN = `CASE WHEN i.count THEN (
         SELECT coalesce(json_agg(json_build_object('value', x."value", 'n', x.n)), '[]'::json)
           FROM counted x WHERE x.kind = i.kind AND x.target = i.target)
       ELSE '[]'::json END`;

const castSql = (counting: boolean) => `WITH gate AS (${OPEN_FOR_VOTES}),
     input AS (
       SELECT kind, target, user_key, id, value, checked, count, ord::int AS ord
         FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::boolean[], $8::boolean[])
              WITH ORDINALITY AS i(kind, target, user_key, id, value, checked, count, ord)),
     up AS (
       INSERT INTO "Vote" AS v ("id", "debateId", "targetKind", "targetId", "userKey", "value")
       SELECT i.id, $1, i.kind, i.target, i.user_key, i.value FROM gate, input i
        WHERE i.checked OR EXISTS (
          SELECT 1 FROM "DebateClaim" c WHERE c."debateId" = $1 AND c."claimId" = i.target AND NOT c."deleted")
        -- Every statement locks its rows in this one order, so two running at once cannot deadlock.
        ORDER BY i.kind COLLATE "C", i.target COLLATE "C", i.user_key COLLATE "C"
       ON CONFLICT ("debateId", "targetKind", "targetId", "userKey")
       DO UPDATE SET "value" = EXCLUDED."value", "previousValue" = v."value", "updatedAt" = CURRENT_TIMESTAMP
       RETURNING v."targetKind", v."targetId", v."userKey", v."value", v."updatedAt", (v.xmax = 0) AS inserted,
                 CASE WHEN v.xmax <> 0 THEN v."previousValue" END AS old)${counting ? COUNTED_CTE : ''}
SELECT i.ord,
       (SELECT count(*)::int FROM gate) AS open,
       CASE WHEN u."userKey" IS NOT NULL
            THEN json_build_object('value', u."value", 'updatedAt', u."updatedAt", 'inserted', u.inserted) END AS vote,
       u.old,
       ${counting ? COUNTED_COLUMN : `'[]'::json`} AS counted
  FROM input i LEFT JOIN up u ON u."targetKind" = i.kind AND u."targetId" = i.target AND u."userKey" = i.user_key
 ORDER BY i.ord`;
/**
 * Most statements count nothing (within TALLY_TTL_MS of a count, the running tally answers);
 * without the count they plan and run ~15 % faster in Postgres.
 */
const CAST_SQL = castSql(false);
const CAST_AND_COUNT_SQL = castSql(true);

/** One vote for the statement. */
interface VoteRow {
  kind: VoteTarget;
  target: string;
  userKey: string;
  value: number;
  /** The target was found in the document: skip the projection check. */
  checked: boolean;
  /** Count the target's other votes. */
  count: boolean;
}

interface CastRow {
  open: number;
  vote: { value: number; updatedAt: string; inserted: boolean } | null;
  /** The value this vote replaced: the row's value just before the upsert changed it (null: inserted). */
  old: number | null;
  /** With `count`: the target's votes by value before the statement, this voter's included. */
  counted: { value: number; n: number }[];
}

/**
 * Vote statements one debate may have running at once. Votes that arrive while it runs wait, and
 * go together in the next statement (as the document writer group-commits updates): one round
 * trip, one gate lock and one commit for all of them. A vote on a quiet debate goes at once,
 * alone. One, not more: statements running side by side on one debate contend for its rows and
 * the WAL, and each carries fewer votes (bench/votes.bench.mjs: 2 did 10–15 % fewer votes/s
 * than 1, 4 and 8 fewer still).
 */
export const VOTE_STATEMENTS_PER_DEBATE = 1;
/** Votes in one statement at most. */
const MAX_BATCH = 64;

interface Waiting {
  row: VoteRow;
  resolve: (r: CastRow) => void;
  reject: (e: unknown) => void;
}
interface DebateVotes {
  running: number;
  waiting: Waiting[];
}

/** This instance's votes waiting or being written, per debate. */
const debateVotes = (deps: VoteDeps): Map<string, DebateVotes> => perServer('voteBatches', deps.live, () => new Map());

/** Writes one vote, in a statement of its own or with the others waiting at the time. */
function writeVote(deps: VoteDeps, debateId: string, row: VoteRow): Promise<CastRow> {
  const all = debateVotes(deps);
  let d = all.get(debateId);
  if (!d) all.set(debateId, (d = { running: 0, waiting: [] }));
  const waiting = d.waiting;
  const p = new Promise<CastRow>((resolve, reject) => waiting.push({ row, resolve, reject }));
  pump(deps, debateId, all, d);
  return p;
}

function pump(deps: VoteDeps, debateId: string, all: Map<string, DebateVotes>, d: DebateVotes): void {
  while (d.running < VOTE_STATEMENTS_PER_DEBATE && d.waiting.length > 0) {
    // One person's votes on one target cannot share a statement (ON CONFLICT would touch the row twice): later ones wait.
    const batch: Waiting[] = [];
    const later: Waiting[] = [];
    const keys = new Set<string>();
    for (const w of d.waiting) {
      const k = `${w.row.kind}\u0000${w.row.target}\u0000${w.row.userKey}`;
      if (batch.length < MAX_BATCH && !keys.has(k)) {
        keys.add(k);
        batch.push(w);
      } else later.push(w);
    }
    d.waiting = later;
    d.running++;
    void runBatch(deps, debateId, batch).then((answer) => {
      d.running--;
      // The next statement leaves before this one's votes are answered: writing those answers
      // would otherwise keep the database idle.
      if (d.running === 0 && d.waiting.length === 0) {
        if (all.get(debateId) === d) all.delete(debateId);
      } else pump(deps, debateId, all, d);
      answer();
    });
  }
}

/** Writes one statement's votes; resolves with the function that answers their callers. */
async function runBatch(deps: VoteDeps, debateId: string, batch: Waiting[]): Promise<() => void> {
  try {
    const col = <K extends keyof VoteRow>(k: K): VoteRow[K][] => batch.map((w) => w.row[k]);
    const counting = batch.some((w) => w.row.count);
    const rows = await deps.db.sql.query<CastRow & { ord: number }>(
      counting ? CAST_AND_COUNT_SQL : CAST_SQL,
      [debateId, col('kind'), col('target'), col('userKey'), batch.map(() => newId()), col('value'), col('checked'), col('count')],
      counting ? 'crux_cast_count_votes' : 'crux_cast_votes',
    );
    return () => {
      const answered = new Set<Waiting>();
      for (const r of rows) {
        const w = batch[r.ord - 1];
        if (w) answered.add(w);
        w?.resolve(r);
      }
      for (const w of batch) if (!answered.has(w)) w.reject(new Error('the vote statement returned no row for a vote'));
    };
  } catch (e) {
    return () => {
      for (const w of batch) w.reject(e);
    };
  }
}

/**
 * Casts or changes a vote (CAST_SQL, possibly together with other votes on the debate).
 * Concurrent requests by one person leave exactly one row (whichever value committed last) and
 * never fail on the constraint. The answer carries the target's tally: counted in the
 * statement, or this instance's running tally of it (TALLY_TTL_MS).
 */
export async function castVote(deps: VoteDeps, debateId: string, userKey: string, input: CastVote): Promise<CastVoteResult> {
  let checked = false;
  if (input.targetKind === 'relation') {
    await requireTargetInDoc(deps, debateId, input.targetKind, input.targetId);
    checked = true;
  }
  const tallies = runningTallies(deps);
  const key = tallyKey(debateId, input.targetKind, input.targetId);
  for (;;) {
    const running = tallies.get(key);
    const count = !running || Date.now() - running.at > TALLY_TTL_MS;
    const r = await writeVote(deps, debateId, {
      kind: input.targetKind,
      target: input.targetId,
      userKey,
      value: input.value,
      checked,
      count,
    });
    if (r.open === 0) throw closedNow();
    if (r.vote) {
      announceVotes(deps, debateId);
      const value = r.vote.value;
      let distribution: number[];
      if (count) {
        distribution = Array.from({ length: MAX_VOTE + 1 }, () => 0);
        for (const o of r.counted) distribution[o.value] = (distribution[o.value] ?? 0) + Number(o.n);
        // The count (the statement's snapshot) still holds this voter's previous vote: move it.
        if (r.old !== null && (distribution[r.old] ?? 0) > 0) distribution[r.old]!--;
        distribution[value]!++;
        remember(tallies, key, { distribution: [...distribution], at: Date.now() });
      } else {
        // An update always reports the value it replaced; should one ever come without it, count next time.
        const from = r.vote.inserted ? null : r.old;
        const known = r.vote.inserted || r.old !== null;
        // The tally read before the statement: if a count replaced it meanwhile, that count is as recent as this answer.
        const t = running!;
        if ((!known || !shift(t, from, value)) && tallies.get(key) === t) tallies.delete(key);
        distribution = t.distribution;
      }
      return {
        vote: {
          targetKind: input.targetKind,
          targetId: input.targetId,
          value,
          updatedAt: new Date(r.vote.updatedAt).toISOString(),
        },
        tally: tallyOf(input.targetKind, input.targetId, distribution),
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
  const [r] = await deps.db.sql.query<{ open: number; deleted: number[] | null }>(
    `WITH gate AS (${OPEN_FOR_VOTES}),
     del AS (
       DELETE FROM "Vote" v USING gate
        WHERE v."debateId" = $1 AND v."targetKind" = $2 AND v."targetId" = $3 AND v."userKey" = $4
       RETURNING v."value")
     SELECT (SELECT count(*)::int FROM gate) AS open, (SELECT array_agg("value") FROM del) AS deleted`,
    [debateId, target.targetKind, target.targetId, userKey],
  );
  if (!r || r.open === 0) throw closedNow();
  if (r.deleted && r.deleted.length > 0) {
    const tallies = runningTallies(deps);
    const key = tallyKey(debateId, target.targetKind, target.targetId);
    const t = tallies.get(key);
    if (t && !r.deleted.every((v) => shift(t, v, null))) tallies.delete(key);
    announceVotes(deps, debateId);
  }
}
