import type { ClaimAccountInput } from '../../lib/schemas/access';
import { claimAccountSchema } from '../../lib/schemas/access';
import { Prisma } from '../db/generated/client';
import { ApiError } from '../http/errors';
import type { Runtime } from '../runtime';
import { newSecureId } from '../access/tokens';
import { CLIENT_IP_HEADER } from '../access/clientIp';
import { getAuth } from './auth';
import { sessionsChanged } from './sessionCache';

/**
 * A guest keeps their account: the same user row (so every membership, role and authored item
 * stays theirs, and their presence colour too) gains an email and a password. All of the
 * guest's sessions end and a fresh one is issued; its Set-Cookie header is returned.
 */
export async function claimGuestAccount(rt: Runtime, userId: string, input: ClaimAccountInput, clientIp: string | null): Promise<Headers> {
  const data = claimAccountSchema.parse(input);
  const auth = await getAuth(rt);
  const ctx = await auth.$context;
  const hash = await ctx.password.hash(data.password);
  try {
    await rt.db.prisma.$transaction(async (tx) => {
      const user = await tx.user.findUnique({ where: { id: userId }, select: { isAnonymous: true, name: true } });
      if (!user?.isAnonymous) throw new ApiError('conflict', 'this account already has an email and password');
      await tx.user.update({ where: { id: userId }, data: { email: data.email, name: data.name ?? user.name, isAnonymous: false } });
      await tx.account.create({ data: { id: newSecureId(), accountId: userId, providerId: 'credential', userId, password: hash } });
      await tx.session.deleteMany({ where: { userId } });
    });
  } catch (e) {
    if (e instanceof Prisma.PrismaClientKnownRequestError && e.code === 'P2002')
      throw new ApiError('conflict', 'an account with this email already exists', [
        { field: 'email', message: 'an account with this email already exists' },
      ]);
    throw e;
  }
  // The guest's sessions are gone (deleted above, not through better-auth): so are their cached copies.
  await sessionsChanged(rt.live, [userId]);
  const headers = new Headers();
  if (clientIp) headers.set(CLIENT_IP_HEADER, clientIp);
  const res = await auth.api.signInEmail({ body: { email: data.email, password: data.password }, headers, asResponse: true });
  if (!res.ok) throw new Error(`sign-in after claiming failed with ${res.status}`);
  const out = new Headers();
  for (const c of res.headers.getSetCookie()) out.append('set-cookie', c);
  return out;
}
