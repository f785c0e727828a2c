import type { ArgumentGraph } from '../../lib/model/graph';
import { findCruxes } from '../../lib/scoring/crux';
import { explainClaim } from '../../lib/scoring/explain';
import { scoreGraph, scoreOf, scoresById, type ScoreResult } from '../../lib/scoring/score';
import type { CredibilityTally, ImpactTally, VoteTally } from '../../lib/scoring/types';
import { canViewPerspective, type Phase, type Principal, type Role } from '../../lib/permissions';
import { parsePerspective, type ExplainDto, type ExplainQuery, type StrengthDto, type StrengthQuery } from '../../lib/schemas/votes';
import type { Allowed } from '../access/guard';
import { ApiError } from '../http/errors';
import { currentGraph, voteTallies, type VoteDeps } from './votes';

/** How many cruxes the strength report lists. */
const TOP_CRUXES = 5;

/** Who is asking for scores: what lib/permissions canViewPerspective decides on. */
export interface Viewer {
  principal: Principal;
  /** Effective role on the debate. */
  role: Role | null;
  phase: Phase;
}

/** The viewer from a route's access check. */
export const viewerOf = (who: Allowed): Viewer => ({ principal: who.principal, role: who.role, phase: who.debate.access.phase });

const badPerspective = (message: string) => new ApiError('unprocessable', 'unknown perspective', [{ field: 'perspective', message }]);

/**
 * The voters whose votes and ratings to score with: undefined for everyone, else their user ids
 * (a team's current members; people who left no longer speak for it). Refused perspectives are
 * refused before anything about the person or team is looked up, so a refusal reveals nothing.
 */
async function votersOf(deps: VoteDeps, perspective: string, viewer: Viewer): Promise<string[] | undefined> {
  const p = parsePerspective(perspective);
  if (p.kind === 'everyone') return undefined;
  const self = viewer.principal.userId;
  if (p.kind === 'user') {
    const target = { kind: 'user', self: self !== null && p.id === self } as const;
    if (!canViewPerspective(viewer.principal, viewer.role, viewer.phase, target)) {
      if (self === null) throw new ApiError('unauthorized', 'sign in or join as a guest to see your own perspective');
      throw new ApiError('forbidden', "another person's votes are private until the debate closes (moderators excepted)");
    }
    if (!target.self && !(await deps.db.prisma.user.findUnique({ where: { id: p.id }, select: { id: true } })))
      throw badPerspective(`no user ${p.id}`);
    return [p.id];
  }
  const member =
    self !== null &&
    (await deps.db.prisma.teamMember.findUnique({ where: { teamId_userId: { teamId: p.id, userId: self } }, select: { role: true } })) !==
      null;
  if (!canViewPerspective(viewer.principal, viewer.role, viewer.phase, { kind: 'team', member }))
    throw new ApiError('forbidden', "a team's votes are shown to its members and moderators until the debate closes");
  const team = await deps.db.prisma.team.findUnique({ where: { id: p.id }, select: { members: { select: { userId: true } } } });
  if (!team) throw badPerspective(`no team ${p.id}`);
  return team.members.map((m) => m.userId);
}

/**
 * Source credibility per claim: the 1..5 ratings of the distinct sources cited in support of
 * the claim (a source quoted twice counts once). Only supporting evidence counts, because
 * baseScore's nudge raises a claim for credible sources; a credible contradicting source
 * should lower it, which that formula cannot express.
 */
async function credibilityByClaim(deps: VoteDeps, debateId: string, voters: string[] | undefined): Promise<Map<string, CredibilityTally>> {
  const rows = await deps.db.sql.query<{ claimId: string; n: number; mean: number }>(
    `SELECT e."claimId", count(*)::int AS n, avg(r."rating")::float8 AS mean
       FROM (SELECT DISTINCT ev."claimId", ev."sourceId" FROM "Evidence" ev
               JOIN "DebateClaim" c ON c."debateId" = ev."debateId" AND c."claimId" = ev."claimId" AND NOT c."deleted"
              WHERE ev."debateId" = $1 AND ev."stance" = 'supports') e
       JOIN "SourceRating" r ON r."sourceId" = e."sourceId"
      WHERE $2::jsonb IS NULL OR r."userKey" IN (SELECT jsonb_array_elements_text($2::jsonb))
      GROUP BY e."claimId"`,
    [debateId, voters === undefined ? null : JSON.stringify(voters)],
  );
  return new Map(rows.map((r) => [r.claimId, { count: Number(r.n), mean: Number(r.mean) }]));
}

interface Scored {
  graph: ArgumentGraph;
  result: ScoreResult;
  inputs: StrengthDto['inputs'];
}

async function score(deps: VoteDeps, debateId: string, q: StrengthQuery, viewer: Viewer): Promise<Scored> {
  const voters = await votersOf(deps, q.perspective, viewer);
  const [graph, tallies, credibility] = await Promise.all([
    currentGraph(deps, debateId),
    voteTallies(deps, debateId, voters),
    credibilityByClaim(deps, debateId, voters),
  ]);
  const agreement = new Map<string, VoteTally>();
  const impact = new Map<string, ImpactTally>();
  for (const t of tallies) {
    if (t.targetKind === 'claim') agreement.set(t.targetId, t);
    else impact.set(t.targetId, { count: t.count, mean: t.mean });
  }
  const result = scoreGraph({ graph, agreement, impact, credibility }, { semantics: q.semantics });
  return { graph, result, inputs: { agreementTallies: agreement.size, impactTallies: impact.size, credibilityTallies: credibility.size } };
}

/** The debate's first thesis: the oldest, ties broken by id, so every replica picks the same one. */
function firstThesis(graph: ArgumentGraph): string | undefined {
  const theses = graph.claims.filter((c) => c.kind === 'thesis');
  theses.sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return theses[0]?.id;
}

export async function strengthReport(deps: VoteDeps, debateId: string, q: StrengthQuery, viewer: Viewer): Promise<StrengthDto> {
  const { graph, result, inputs } = await score(deps, debateId, q, viewer);
  const thesisId = firstThesis(graph);
  const cruxes = thesisId === undefined ? undefined : findCruxes(result, thesisId, { k: TOP_CRUXES });
  return {
    semantics: result.semantics,
    perspective: q.perspective,
    scores: Object.fromEntries(scoresById(result)),
    converged: result.converged,
    iterations: result.iterations,
    cycles: result.cycles.map((c) => ({
      claimIds: [...c.claimIds],
      relationIds: [...c.relationIds],
      converged: c.converged,
      iterations: c.iterations,
      residual: c.residual,
    })),
    thesis: thesisId === undefined ? null : { claimId: thesisId, score: scoreOf(result, thesisId) ?? 0 },
    cruxes: cruxes?.cruxes ?? [],
    inputs,
  };
}

export async function explainStrength(deps: VoteDeps, debateId: string, q: ExplainQuery, viewer: Viewer): Promise<ExplainDto> {
  const { result } = await score(deps, debateId, q, viewer);
  const explanation = explainClaim(result, q.claimId);
  if (!explanation) throw new ApiError('not_found', `no claim ${q.claimId} in this debate`);
  return { semantics: result.semantics, perspective: q.perspective, explanation };
}
