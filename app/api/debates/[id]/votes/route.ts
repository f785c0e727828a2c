import { getRuntime } from '@/server/runtime';
import { ApiError, parseJson, parseQuery, route } from '@/server/http/errors';
import { requireDebateAction, type Allowed } from '@/server/access/guard';
import { castVote, listVotes, retractVote } from '@/server/services/votes';
import { castVoteSchema, retractVoteQuerySchema } from '@/lib/schemas/votes';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ id: string }> };

/** Votes are kept under the voter's user id (a guest's or an account's), never a display name. */
function voterOf(who: Allowed): string {
  if (who.principal.userId === null) throw new ApiError('unauthorized', 'sign in or join as a guest to vote');
  return who.principal.userId;
}

export const GET = route(async (req: Request, ctx: Ctx) => {
  const { id } = await ctx.params;
  const who = await requireDebateAction(req, id, 'debate.read');
  return Response.json(await listVotes(getRuntime(), id, who.principal.userId));
});

/** Casts or changes the caller's vote on a claim (agreement) or a relation (impact). */
export const PUT = route(async (req: Request, ctx: Ctx) => {
  const { id } = await ctx.params;
  const who = await requireDebateAction(req, id, 'vote.cast');
  const input = await parseJson(req, castVoteSchema);
  return Response.json(await castVote(getRuntime(), id, voterOf(who), input));
});

/** ?targetKind=&targetId=: retracts the caller's vote; 204 whether or not there was one. */
export const DELETE = route(async (req: Request, ctx: Ctx) => {
  const { id } = await ctx.params;
  const who = await requireDebateAction(req, id, 'vote.cast');
  const target = parseQuery(req.url, retractVoteQuerySchema);
  await retractVote(getRuntime(), id, voterOf(who), target);
  return new Response(null, { status: 204 });
});
