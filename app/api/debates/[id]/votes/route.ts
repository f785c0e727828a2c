import { route } from '@/server/http/errors';
import { toFetchResponse } from '@/server/http/request';
import { deleteVote, getVotes, putVote } from '@/server/http/votesApi';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ id: string }> };

// The custom server answers these before Next (server/http/fast.ts); this route serves any other host.
export const GET = route(async (req: Request, ctx: Ctx) => toFetchResponse(await getVotes(req, (await ctx.params).id)));
export const PUT = route(async (req: Request, ctx: Ctx) => toFetchResponse(await putVote(req, (await ctx.params).id)));
export const DELETE = route(async (req: Request, ctx: Ctx) => toFetchResponse(await deleteVote(req, (await ctx.params).id)));
