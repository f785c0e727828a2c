import { createHash, randomBytes } from 'node:crypto';

/** An invite link's secret: 256 random bits. Only its hash is stored (Invite.tokenHash). */
export const newInviteToken = (): string => randomBytes(32).toString('base64url');

/** SHA-256 suffices: the token is random, so there is nothing to brute-force or look up. */
export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

/** Ids of teams and invites: unguessable, since a team id appears in URLs. */
export const newSecureId = (): string => randomBytes(12).toString('base64url');

/** Tokens are base64url of 32 bytes; anything else is not worth a database lookup. */
export const looksLikeToken = (s: string | null | undefined): s is string => typeof s === 'string' && /^[A-Za-z0-9_-]{43}$/.test(s);
