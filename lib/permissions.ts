/**
 * Who may do what, decided in one place. The UI calls `can` to show only allowed controls; the
 * server calls the same function on every route and on the sync socket, authoritatively.
 * Pure: the caller resolves the principal's roles from the database and passes them in.
 */

export const ROLES = ['viewer', 'participant', 'moderator', 'owner'] as const;
export type Role = (typeof ROLES)[number];

/** Roles a debate membership or an invite link can carry: ownership moves only by transfer. */
export const MEMBER_ROLES = ['viewer', 'participant', 'moderator'] as const;
export type MemberRole = (typeof MEMBER_ROLES)[number];

/** What everyone gets on a public debate, and what a link grants on a link-visible one. */
export const PUBLIC_ROLES = ['viewer', 'participant'] as const;
export type PublicRole = (typeof PUBLIC_ROLES)[number];

export const VISIBILITIES = ['private', 'team', 'link', 'public'] as const;
export type Visibility = (typeof VISIBILITIES)[number];

export const PHASES = ['open', 'voting', 'closed'] as const;
export type Phase = (typeof PHASES)[number];

export const ACTIONS = [
  'debate.read',
  'map.edit',
  'comment.add',
  'evidence.add',
  /** Edit or remove evidence or a source: its author, or a moderator. */
  'evidence.edit',
  'source.rate',
  'vote.cast',
  'debate.lock',
  'debate.phase',
  'claim.hide',
  'invite.manage',
  'audit.read',
  /** Download a full backup: it names who voted what and who rated which source, so moderators only. */
  'debate.backup',
  'debate.visibility',
  'debate.transfer',
  'debate.delete',
] as const;
export type Action = (typeof ACTIONS)[number];

export interface Principal {
  /** null: nobody is signed in. */
  userId: string | null;
  isGuest: boolean;
}

export interface DebateAccess {
  visibility: Visibility;
  locked: boolean;
  phase: Phase;
  /** The role everyone gets on a public debate; null means read-only. */
  publicRole: Role | null;
}

/** The roles a principal holds, as looked up by the server. */
export interface Grants {
  /** Explicit role on this debate (membership, or 'owner' for its owner). */
  debateRole: Role | null;
  /** Role in the team that owns the debate, when the debate belongs to a team. */
  teamRole: Role | null;
  /** Role carried by a valid link the principal presented, for link-visible debates. */
  linkRole: Role | null;
}

export const NO_GRANTS: Grants = { debateRole: null, teamRole: null, linkRole: null };

const RANK: Record<Role, number> = { viewer: 0, participant: 1, moderator: 2, owner: 3 };

export const atLeast = (role: Role | null, min: Role): boolean => role !== null && RANK[role] >= RANK[min];

export const maxRole = (...roles: (Role | null)[]): Role | null =>
  roles.reduce<Role | null>((best, r) => (r !== null && (best === null || RANK[r] > RANK[best]) ? r : best), null);

/**
 * The principal's effective role on the debate, or null when they may not even read it.
 *
 * Public and link roles apply to everyone, signed in or not: a guest account costs a visitor
 * one display name, so withholding map edits from cookie-less visitors would add friction
 * without adding safety (attributed actions still need an identity, see ATTRIBUTED). Owners who
 * want a read-only audience set publicRole to viewer.
 */
export function effectiveRole(_p: Principal, d: DebateAccess, g: Grants): Role | null {
  const explicit = maxRole(g.debateRole, d.visibility === 'private' ? null : g.teamRole);
  const byLink = d.visibility === 'link' && g.linkRole !== null ? g.linkRole : null;
  const byPublic = d.visibility === 'public' ? maxRole(d.publicRole, 'viewer') : null;
  return maxRole(explicit, byLink, byPublic);
}

export type Decision = { ok: true } | { ok: false; reason: DenyReason };
export type DenyReason = 'not-signed-in' | 'no-access' | 'role-too-low' | 'debate-locked' | 'phase-closed' | 'phase-voting' | 'not-author';

const MIN_ROLE: Record<Action, Role> = {
  'debate.read': 'viewer',
  'map.edit': 'participant',
  'comment.add': 'participant',
  'evidence.add': 'participant',
  'evidence.edit': 'participant',
  'source.rate': 'participant',
  'vote.cast': 'participant',
  'debate.lock': 'moderator',
  'debate.phase': 'moderator',
  'claim.hide': 'moderator',
  'invite.manage': 'moderator',
  'audit.read': 'moderator',
  'debate.backup': 'moderator',
  'debate.visibility': 'owner',
  'debate.transfer': 'owner',
  'debate.delete': 'owner',
};

/** Actions that change the map or its evidence: frozen by a lock (except for moderators) and by phases. */
const CONTENT: ReadonlySet<Action> = new Set(['map.edit', 'comment.add', 'evidence.add', 'evidence.edit', 'source.rate']);

/**
 * Actions recorded under their author's name (evidence, ratings, votes, comments): they need an
 * identity, a guest's at least, even where the role would allow them. Map edits do not: the
 * shared map is what a public debate opens to every visitor.
 */
const ATTRIBUTED: ReadonlySet<Action> = new Set(['comment.add', 'evidence.add', 'evidence.edit', 'source.rate', 'vote.cast']);

export interface ActionContext {
  /** For evidence.edit: is the principal the author of the thing being edited? */
  isAuthor?: boolean;
}

export function can(p: Principal, d: DebateAccess, g: Grants, action: Action, ctx: ActionContext = {}): Decision {
  const role = effectiveRole(p, d, g);
  if (role === null) return { ok: false, reason: p.userId === null ? 'not-signed-in' : 'no-access' };
  const need = MIN_ROLE[action];
  if (!atLeast(role, need)) return { ok: false, reason: p.userId === null && action !== 'debate.read' ? 'not-signed-in' : 'role-too-low' };
  if (p.userId === null && ATTRIBUTED.has(action)) return { ok: false, reason: 'not-signed-in' };
  const moderator = atLeast(role, 'moderator');
  if (CONTENT.has(action) || action === 'vote.cast') {
    if (d.phase === 'closed') return { ok: false, reason: 'phase-closed' };
    if (d.phase === 'voting' && action !== 'vote.cast') return { ok: false, reason: 'phase-voting' };
    if (d.locked && !moderator) return { ok: false, reason: 'debate-locked' };
  }
  if (action === 'evidence.edit' && !moderator && ctx.isAuthor !== true) return { ok: false, reason: 'not-author' };
  return { ok: true };
}

/**
 * Whose votes may a principal score the debate with ([strength] perspectives)? Everyone's
 * together always, their own always (once they have an identity). One other person's votes are
 * private while they can still change: moderators may look (they run the debate), everyone
 * else once the debate is closed. A team's votes together: its members and moderators, and
 * everyone once closed (by then each member's votes are readable anyway). The role is the
 * principal's effective role on the debate; a principal without one reads nothing at all.
 */
export type PerspectiveTarget = { kind: 'everyone' } | { kind: 'user'; self: boolean } | { kind: 'team'; member: boolean };

export function canViewPerspective(p: Principal, role: Role | null, phase: Phase, target: PerspectiveTarget): boolean {
  if (role === null) return false;
  if (target.kind === 'everyone') return true;
  if (target.kind === 'user' && target.self) return p.userId !== null;
  if (atLeast(role, 'moderator') || phase === 'closed') return true;
  return target.kind === 'team' && target.member;
}

/** Every action `can` allows, for the UI (evidence.edit as for someone else's evidence). */
export function allowedActions(p: Principal, d: DebateAccess, g: Grants): Action[] {
  return ACTIONS.filter((a) => can(p, d, g, a).ok);
}

/**
 * May an actor holding `actor` give someone a role, change it, or take it away (`next` null)?
 * Moderators manage viewers and participants; owners manage everyone below owner, and only
 * owners make owners (`allowOwner`: teams have owners as members, debates by transfer only).
 */
export function canAssignRole(actor: Role | null, current: Role | null, next: Role | null, opts: { allowOwner?: boolean } = {}): boolean {
  if (!atLeast(actor, 'moderator')) return false;
  if (next === 'owner' && !opts.allowOwner) return false;
  if (actor === 'owner') return true;
  const below = (r: Role | null) => r === null || RANK[r] < RANK.moderator;
  return below(current) && below(next);
}

/** Team actions, decided by the actor's role in the team (null: not a member). */
export const TEAM_ACTIONS = ['team.read', 'team.invite', 'team.members', 'team.debate.create', 'team.rename', 'team.delete'] as const;
export type TeamAction = (typeof TEAM_ACTIONS)[number];

const TEAM_MIN_ROLE: Record<TeamAction, Role> = {
  'team.read': 'viewer',
  'team.debate.create': 'participant',
  'team.invite': 'moderator',
  'team.members': 'moderator',
  'team.rename': 'owner',
  'team.delete': 'owner',
};

export function canTeam(role: Role | null, action: TeamAction): boolean {
  return atLeast(role, TEAM_MIN_ROLE[action]);
}

/** Starting debates and teams needs a full account: a guest's work would die with its cookie. */
export const canCreate = (p: Principal): boolean => p.userId !== null && !p.isGuest;
