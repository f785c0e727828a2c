/**
 * Who may do what, decided in one place. The UI calls `can` to show only allowed controls; the
 * server calls the same function on every route and on the sync socket, authoritatively.
 * Pure: the caller resolves the principal's roles from the database and passes them in.
 */

export const ROLES = ['viewer', 'participant', 'moderator', 'owner'] as const;
export type Role = (typeof ROLES)[number];

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
  /** The role any signed-in account (or guest) gets on a public debate; null means read-only. */
  publicRole: Role | null;
}

/** The roles a principal holds, as looked up by the server. */
export interface Grants {
  /** Explicit role on this debate (membership or invite). */
  debateRole: Role | null;
  /** Role in the team that owns the debate, when the debate belongs to a team. */
  teamRole: Role | null;
  /** Role carried by a valid link the principal presented, for link-visible debates. */
  linkRole: Role | null;
}

const RANK: Record<Role, number> = { viewer: 0, participant: 1, moderator: 2, owner: 3 };

export const atLeast = (role: Role | null, min: Role): boolean => role !== null && RANK[role] >= RANK[min];

const max = (...roles: (Role | null)[]): Role | null =>
  roles.reduce<Role | null>((best, r) => (r !== null && (best === null || RANK[r] > RANK[best]) ? r : best), null);

/** The principal's effective role on the debate, or null when they may not even read it. */
export function effectiveRole(p: Principal, d: DebateAccess, g: Grants): Role | null {
  const explicit = max(g.debateRole, d.visibility === 'private' ? null : g.teamRole);
  const byLink = d.visibility === 'link' ? g.linkRole : null;
  // Public debates: anyone reads; a signed-in account or guest gets the public role.
  const byPublic = d.visibility === 'public' ? (p.userId !== null ? max(d.publicRole, 'viewer') : 'viewer') : null;
  return max(explicit, byLink, byPublic);
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
  'debate.visibility': 'owner',
  'debate.transfer': 'owner',
  'debate.delete': 'owner',
};

/** Actions that change the map or its evidence: frozen by a lock (except for moderators) and by phases. */
const CONTENT: ReadonlySet<Action> = new Set(['map.edit', 'comment.add', 'evidence.add', 'evidence.edit', 'source.rate']);

export interface ActionContext {
  /** For evidence.edit: is the principal the author of the thing being edited? */
  isAuthor?: boolean;
}

export function can(p: Principal, d: DebateAccess, g: Grants, action: Action, ctx: ActionContext = {}): Decision {
  const role = effectiveRole(p, d, g);
  if (role === null) return { ok: false, reason: p.userId === null ? 'not-signed-in' : 'no-access' };
  const need = MIN_ROLE[action];
  if (!atLeast(role, need)) return { ok: false, reason: p.userId === null && action !== 'debate.read' ? 'not-signed-in' : 'role-too-low' };
  const moderator = atLeast(role, 'moderator');
  if (CONTENT.has(action) || action === 'vote.cast') {
    if (d.phase === 'closed') return { ok: false, reason: 'phase-closed' };
    if (d.phase === 'voting' && action !== 'vote.cast') return { ok: false, reason: 'phase-voting' };
    if (d.locked && !moderator) return { ok: false, reason: 'debate-locked' };
  }
  if (action === 'evidence.edit' && !moderator && ctx.isAuthor !== true) return { ok: false, reason: 'not-author' };
  return { ok: true };
}
