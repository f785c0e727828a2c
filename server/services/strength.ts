import type { ArgumentGraph } from '../../lib/model/graph';
import { findCruxes } from '../../lib/scoring/crux';
import { explainClaim } from '../../lib/scoring/explain';
import { scoreGraph, scoreOf, scoresById, type ScoreResult } from '../../lib/scoring/score';
import type { CredibilityTally, ImpactTally, VoteTally } from '../../lib/scoring/types';
import type { ExplainDto, ExplainQuery, StrengthDto, StrengthQuery } from '../../lib/schemas/votes';
import { ApiError } from '../http/errors';
import { currentGraph, voteTallies, type VoteDeps } from './votes';

/** How many cruxes the strength report lists. */
const TOP_CRUXES = 5;

/**
 * Whose votes to score with: everyone's, or the caller's own (`user:<their id>`). Asking for
 * another person's perspective is refused: individual votes are not public, only tallies are.
 */
function perspectiveKey(perspective: string, callerId: string | null): string | undefined {
  if (perspective === 'everyone') return undefined;
  const id = perspective.slice('user:'.length);
  if (callerId === null) throw new ApiError('unauthorized', 'sign in or join as a guest to see your own perspective');
  if (id !== callerId) throw new ApiError('forbidden', 'only your own perspective can be shown: individual votes are private');
  return id;
}

/**
 * Source credibility per claim: the 1..5 ratings of the distinct sources cited in support of
 * the claim (a source quoted twice counts once). Only supporting evidence counts, because
 * baseScore's nudge raises a claim for credible sources; a credible contradicting source
 * should lower it, which that formula cannot express.
 */
async function credibilityByClaim(deps: VoteDeps, debateId: string, userKey: string | undefined): Promise<Map<string, CredibilityTally>> {
  const rows = await deps.db.sql.query<{ claimId: string; n: number; mean: number }>(
    `SELECT e."claimId", count(*)::int AS n, avg(r."rating")::float8 AS mean
       FROM (SELECT DISTINCT ev."claimId", ev."sourceId" FROM "Evidence" ev
               JOIN "DebateClaim" c ON c."debateId" = ev."debateId" AND c."claimId" = ev."claimId" AND NOT c."deleted"
              WHERE ev."debateId" = $1 AND ev."stance" = 'supports') e
       JOIN "SourceRating" r ON r."sourceId" = e."sourceId"
      WHERE $2::text IS NULL OR r."userKey" = $2::text
      GROUP BY e."claimId"`,
    [debateId, userKey ?? null],
  );
  return new Map(rows.map((r) => [r.claimId, { count: Number(r.n), mean: Number(r.mean) }]));
}

interface Scored {
  graph: ArgumentGraph;
  result: ScoreResult;
  inputs: StrengthDto['inputs'];
}

async function score(deps: VoteDeps, debateId: string, q: StrengthQuery, callerId: string | null): Promise<Scored> {
  const userKey = perspectiveKey(q.perspective, callerId);
  const [graph, tallies, credibility] = await Promise.all([
    currentGraph(deps, debateId),
    voteTallies(deps, debateId, userKey),
    credibilityByClaim(deps, debateId, userKey),
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

export async function strengthReport(deps: VoteDeps, debateId: string, q: StrengthQuery, callerId: string | null): Promise<StrengthDto> {
  const { graph, result, inputs } = await score(deps, debateId, q, callerId);
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

export async function explainStrength(deps: VoteDeps, debateId: string, q: ExplainQuery, callerId: string | null): Promise<ExplainDto> {
  const { result } = await score(deps, debateId, q, callerId);
  const explanation = explainClaim(result, q.claimId);
  if (!explanation) throw new ApiError('not_found', `no claim ${q.claimId} in this debate`);
  return { semantics: result.semantics, perspective: q.perspective, explanation };
}
