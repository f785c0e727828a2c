import { getRuntime } from '../runtime';
import { requireDebateAction, type Allowed } from '../access/guard';
import { castVote, listVotes, retractVote } from '../services/votes';
import { castVoteSchema, retractVoteQuerySchema } from '../../lib/schemas/votes';
import { ApiError, parseJson, parseQuery } from './errors';
import { json, noContent, type ApiRequest, type ApiResult } from './request';

/*
 * /api/debates/[id]/votes, one handler per method. The Next route (app/api/debates/[id]/votes)
 * and the HTTP server's fast path (./fast.ts) both call these, after the same request checks.
 */

/** Votes are kept under the voter's user id (a guest's or an account's), never a display name. */
function voterOf(who: Allowed): string {
  if (who.principal.userId === null) throw new ApiError('unauthorized', 'sign in or join as a guest to vote');
  return who.principal.userId;
}

export async function getVotes(req: ApiRequest, debateId: string): Promise<ApiResult> {
  const who = await requireDebateAction(req, debateId, 'debate.read');
  return json(await listVotes(getRuntime(), debateId, who.principal.userId));
}

/** Casts or changes the caller's vote on a claim (agreement) or a relation (impact). */
export async function putVote(req: ApiRequest, debateId: string): Promise<ApiResult> {
  const who = await requireDebateAction(req, debateId, 'vote.cast');
  const input = await parseJson(req, castVoteSchema);
  return json(await castVote(getRuntime(), debateId, voterOf(who), input));
}

/** ?targetKind=&targetId=: retracts the caller's vote; 204 whether or not there was one. */
export async function deleteVote(req: ApiRequest, debateId: string): Promise<ApiResult> {
  const who = await requireDebateAction(req, debateId, 'vote.cast');
  const target = parseQuery(req.url, retractVoteQuerySchema);
  await retractVote(getRuntime(), debateId, voterOf(who), target);
  return noContent();
}
