import {
  can,
  canTeam,
  effectiveRole,
  type Action,
  type ActionContext,
  type DenyReason,
  type Principal,
  type Role,
  type TeamAction,
} from '../../lib/permissions';
import { ANONYMOUS_NAME } from '../../lib/presence';
import { ApiError, assertSameOrigin } from '../http/errors';
import { getRuntime } from '../runtime';
import { readSession, type SessionInfo, type SessionUser } from '../auth/session';
import { clientIpOf } from './clientIp';
import type { ApiRequest } from '../http/request';
import { isMutating } from './origin';
import { HTTP_WRITES, HTTP_WRITES_LEASE, sharedLimiter, type SharedLimiter } from './rateLimit';
import { asRole, debateGrants, type DebateGrants } from './grants';

export interface Allowed {
  principal: Principal;
  /** A stable name for "added by" fields and audit entries. */
  actorName: string;
  /** The signed-in account or guest, null for a visitor. */
  user: SessionUser | null;
  /** The principal's effective role on the debate. */
  role: Role | null;
  debate: DebateGrants;
}

/** Leased: most writes spend tokens this instance already drew from the shared bucket (see SharedLimiter). */
const writeLimiter = (): SharedLimiter => sharedLimiter(getRuntime().db, 'writes', HTTP_WRITES, HTTP_WRITES_LEASE);

/** The presented invite link, for link-visible debates: `?invite=` or the X-Crux-Invite header. */
export const linkTokenOf = (req: ApiRequest): string | null =>
  req.headers.get('x-crux-invite') ?? new URL(req.url).searchParams.get('invite');

/** Counts a state-changing request against its author's budget: the account, else the address. */
async function limitWrites(req: ApiRequest, session: SessionInfo): Promise<void> {
  if (!isMutating(req.method)) return;
  const key = session.principal.userId ? `u:${session.principal.userId}` : `ip:${clientIpOf(req) ?? 'unknown'}`;
  const wait = await writeLimiter().take(key);
  if (wait !== null) throw new ApiError('rate_limited', `too many changes: try again in ${wait} s`, [], { 'Retry-After': String(wait) });
}

const VERB: Partial<Record<Action, string>> = {
  'debate.read': 'read this debate',
  'map.edit': 'edit the map',
  'evidence.add': 'add evidence',
  'evidence.edit': 'edit this',
  'source.rate': 'rate sources',
  'vote.cast': 'vote',
  'debate.lock': 'lock or unlock the debate',
  'debate.phase': 'change the debate phase',
  'claim.hide': 'hide claims',
  'invite.manage': 'manage invites and members',
  'audit.read': 'read the audit log',
  'debate.visibility': 'change who can see the debate',
  'debate.transfer': 'transfer the debate',
  'debate.delete': 'delete the debate',
  'debate.backup': 'download a full backup (it names who voted what)',
};

export function denial(reason: DenyReason, action: Action, role: Role | null): ApiError {
  const what = VERB[action] ?? action;
  switch (reason) {
    case 'not-signed-in':
      return new ApiError('unauthorized', `sign in or join as a guest to ${what}`);
    case 'no-access':
      return new ApiError('forbidden', 'you do not have access to this debate');
    case 'role-too-low':
      return new ApiError('forbidden', `your role (${role ?? 'none'}) may not ${what}`);
    case 'debate-locked':
      return new ApiError('forbidden', 'the debate is locked: only moderators can change it');
    // The reason code ends the message so that clients can tell the two phases apart.
    case 'phase-closed':
      return new ApiError('forbidden', `the debate is closed: nobody may ${what} (phase-closed)`);
    case 'phase-voting':
      return new ApiError('forbidden', `the debate is in its voting phase: only votes are open, nobody may ${what} (phase-voting)`);
    case 'not-author':
      return new ApiError('forbidden', `only its author or a moderator may ${what}`);
    default:
      return new ApiError('forbidden', `not allowed now (${reason})`);
  }
}

/** Who sent the request (nobody, a guest or an account), after the Origin and rate checks of a write. */
export async function requirePrincipal(req: ApiRequest): Promise<SessionInfo> {
  assertSameOrigin(req);
  const session = await readSession(req.headers);
  await limitWrites(req, session);
  return session;
}

/** A signed-in account, or also a guest with `allowGuest`. 401 otherwise. */
export async function requireUser(req: ApiRequest, opts: { allowGuest?: boolean } = {}): Promise<SessionInfo & { user: SessionUser }> {
  const session = await requirePrincipal(req);
  if (!session.user) throw new ApiError('unauthorized', 'sign in first');
  if (session.user.isGuest && !opts.allowGuest)
    throw new ApiError('forbidden', 'guests cannot do this: add an email and password to your account first');
  return session as SessionInfo & { user: SessionUser };
}

/**
 * The one check every route handler makes before acting on a debate: 404 when it does not
 * exist, 401 when nobody is signed in and the debate is not open to visitors, 403 when the role
 * or the debate's state forbids the action, 429 past the write budget. Mutating requests must
 * come from this site (Origin).
 */
export async function requireDebateAction(req: ApiRequest, debateId: string, action: Action, ctx: ActionContext = {}): Promise<Allowed> {
  const session = await requirePrincipal(req);
  const debate = await debateGrants(getRuntime(), debateId, session.principal.userId, linkTokenOf(req));
  if (!debate) throw new ApiError('not_found', `debate ${debateId} not found`);
  const role = effectiveRole(session.principal, debate.access, debate.grants);
  const decision = can(session.principal, debate.access, debate.grants, action, ctx);
  if (!decision.ok) throw denial(decision.reason, action, role);
  return { principal: session.principal, actorName: session.user?.name ?? ANONYMOUS_NAME, user: session.user, role, debate };
}

/** May the caller see what moderators hid (claims, their evidence)? Moderators and owners. */
export const seesHidden = (a: Allowed): boolean => can(a.principal, a.debate.access, a.debate.grants, 'claim.hide').ok;

export interface TeamAllowed {
  session: SessionInfo & { user: SessionUser };
  role: Role;
}

/** A team action: members only (guests who joined by link included), at the role the action needs. */
export async function requireTeamAction(req: ApiRequest, teamId: string, action: TeamAction): Promise<TeamAllowed> {
  const session = await requireUser(req, { allowGuest: true });
  const team = await getRuntime().db.prisma.team.findUnique({
    where: { id: teamId },
    select: { members: { where: { userId: session.user.id }, select: { role: true } } },
  });
  if (!team) throw new ApiError('not_found', `team ${teamId} not found`);
  const role = asRole(team.members[0]?.role);
  if (role === null) throw new ApiError('forbidden', 'you are not a member of this team');
  if (!canTeam(role, action)) throw new ApiError('forbidden', `your role in this team (${role}) may not do this`);
  return { session, role };
}

/**
 * For server-rendered pages: may these request headers open the debate? The page renders
 * nothing of a debate (not even its title) before this says so.
 */
export async function debatePageAccess(
  debateId: string,
  headers: Headers,
  invite?: string | null,
): Promise<'ok' | 'not-found' | 'unauthorized' | 'forbidden'> {
  const session = await readSession(headers);
  const debate = await debateGrants(getRuntime(), debateId, session.principal.userId, invite);
  if (!debate) return 'not-found';
  const decision = can(session.principal, debate.access, debate.grants, 'debate.read');
  if (decision.ok) return 'ok';
  return decision.reason === 'not-signed-in' ? 'unauthorized' : 'forbidden';
}
