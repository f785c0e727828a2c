import { z } from 'zod';
import {
  MEMBER_ROLES,
  PUBLIC_ROLES,
  ROLES,
  VISIBILITIES,
  type Action,
  type DebateAccess,
  type Grants,
  type Phase,
  type Principal,
  type Role,
  type Visibility,
} from '../permissions';
import { claimIdSchema } from '../model/claim';
import { createDebateSchema } from './debate';

/**
 * Request schemas and response shapes of the account, team and debate-access API: the routes
 * parse with these, the forms validate with the same ones before sending, so both name the same
 * field with the same message.
 */

export const DISPLAY_NAME_MAX = 60;
export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 128;
export const TEAM_NAME_MAX = 100;

export const displayNameSchema = z
  .string()
  .trim()
  .min(1, 'name is required')
  .max(DISPLAY_NAME_MAX, `name must be at most ${DISPLAY_NAME_MAX} characters`)
  // eslint-disable-next-line no-control-regex
  .regex(/^[^\u0000-\u001f\u007f]*$/, 'name must not contain control characters');

export const emailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(254, 'email is too long')
  .pipe(z.email('enter an email address like ada@example.com'));

export const passwordSchema = z
  .string()
  .min(PASSWORD_MIN, `password must be at least ${PASSWORD_MIN} characters`)
  .max(PASSWORD_MAX, `password must be at most ${PASSWORD_MAX} characters`);

/** POST /api/auth/sign-up/email (better-auth), checked by the form first. */
export const signUpSchema = z.object({ name: displayNameSchema, email: emailSchema, password: passwordSchema });
export type SignUpInput = z.input<typeof signUpSchema>;

/** POST /api/auth/sign-in/email. No length rules: a wrong password is just wrong. */
export const signInSchema = z.object({ email: emailSchema, password: z.string().min(1, 'password is required').max(PASSWORD_MAX) });
export type SignInInput = z.input<typeof signInSchema>;

/** POST /api/account/guest: join with a display name only. */
export const guestSchema = z.object({ name: displayNameSchema });

/** POST /api/account/claim: a guest keeps their account (and roles) by adding email + password. */
export const claimAccountSchema = z.object({ email: emailSchema, password: passwordSchema, name: displayNameSchema.optional() });
export type ClaimAccountInput = z.input<typeof claimAccountSchema>;

export const roleSchema = z.enum(ROLES);
export const memberRoleSchema = z.enum(MEMBER_ROLES, { message: `role must be one of ${MEMBER_ROLES.join(', ')}` });
export const visibilitySchema = z.enum(VISIBILITIES, { message: `visibility must be one of ${VISIBILITIES.join(', ')}` });
export const publicRoleSchema = z.enum(PUBLIC_ROLES, { message: `publicRole must be one of ${PUBLIC_ROLES.join(', ')}` });

/** POST /api/debates: a debate belongs to its creator, or to one of their teams. */
export const createOwnedDebateSchema = createDebateSchema.extend({
  teamId: z.string().min(1).max(64).optional(),
  visibility: visibilitySchema.optional(),
  publicRole: publicRoleSchema.default('participant'),
});
export type CreateOwnedDebateInput = z.input<typeof createOwnedDebateSchema>;

/** PUT /api/debates/[id]/visibility (owners). */
export const setVisibilitySchema = z.object({ visibility: visibilitySchema, publicRole: publicRoleSchema.optional() });
export type SetVisibilityInput = z.input<typeof setVisibilitySchema>;

/** PUT /api/debates/[id]/lock (moderators). */
export const setLockSchema = z.object({ locked: z.boolean() });

/** POST /api/debates/[id]/hidden (moderators). */
export const setHiddenSchema = z.object({ claimId: claimIdSchema, hidden: z.boolean() });

/** POST /api/debates/[id]/transfer (owners): to a person who already has a role here, or to a team. */
export const transferSchema = z.object({
  to: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('user'), userId: z.string().min(1).max(64) }),
    z.object({ kind: z.literal('team'), teamId: z.string().min(1).max(64) }),
  ]),
});
export type TransferInput = z.input<typeof transferSchema>;

export const INVITE_MAX_HOURS = 24 * 30;
/** POST /api/teams/[id]/invites and /api/debates/[id]/invites. */
export const createInviteSchema = z.object({
  role: memberRoleSchema,
  expiresInHours: z
    .number()
    .int('expiresInHours must be a whole number')
    .min(1, 'an invite lasts at least an hour')
    .max(INVITE_MAX_HOURS, `an invite lasts at most ${INVITE_MAX_HOURS} hours`)
    .default(24 * 7),
});
export type CreateInviteInput = z.input<typeof createInviteSchema>;

/** PATCH a member of a debate (member roles) or of a team (owners may make owners). */
export const setDebateMemberRoleSchema = z.object({ role: memberRoleSchema });
export const setTeamMemberRoleSchema = z.object({ role: roleSchema });

export const createTeamSchema = z.object({
  name: z.string().trim().min(1, 'name is required').max(TEAM_NAME_MAX, `name must be at most ${TEAM_NAME_MAX} characters`),
});
export type CreateTeamInput = z.input<typeof createTeamSchema>;

export const auditQuerySchema = z.object({
  before: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

// ---- responses -------------------------------------------------------------------------------

/** GET /api/account/me */
export interface MeInfo {
  user: { id: string; name: string; email: string | null; isGuest: boolean; colour: string } | null;
}

/** GET /api/debates/[id]/access: everything the UI needs to show only what is allowed. */
export interface AccessInfo {
  debateId: string;
  principal: Principal;
  role: Role | null;
  actions: Action[];
  access: DebateAccess;
  /** The debate's phase (also access.phase): open, voting (map frozen, votes open) or closed. */
  phase: Phase;
  grants: Grants;
  owner: { kind: 'user'; id: string; name: string } | { kind: 'team'; id: string; name: string } | null;
  /** The awareness `user` field: display name and colour derived from the account id. */
  presence: { name: string; colour: string };
}

export interface MemberInfo {
  userId: string;
  name: string;
  isGuest: boolean;
  role: Role;
  since: string;
}

export interface InviteInfo {
  id: string;
  role: Role;
  createdAt: string;
  expiresAt: string;
  revokedAt: string | null;
  uses: number;
  createdBy: string | null;
  /** Only in the response that created it: the secret is not stored. */
  url?: string;
}

/** GET /api/invites/[token]: what a link invites to, before accepting. */
export interface InvitePreview {
  kind: 'team' | 'debate';
  targetId: string;
  targetName: string;
  role: Role;
  expiresAt: string;
  valid: boolean;
  /** Why it cannot be used, when it cannot. */
  problem: 'expired' | 'revoked' | null;
}

export interface TeamSummary {
  id: string;
  name: string;
  role: Role;
  members: number;
}

export interface TeamDetail {
  id: string;
  name: string;
  role: Role;
  members: MemberInfo[];
}

export interface AuditEntryInfo {
  id: number;
  actorId: string | null;
  actorName: string;
  action: string;
  target: string | null;
  /** The target's display name, when it is a person. */
  targetName: string | null;
  detail: unknown;
  createdAt: string;
}

/** What the audit log records. */
export const AUDIT_ACTIONS = [
  'debate.create',
  'debate.visibility',
  'debate.lock',
  'debate.unlock',
  'debate.phase',
  'debate.transfer',
  'debate.delete',
  'claim.hide',
  'claim.restore',
  'member.add',
  'member.role',
  'member.remove',
  'member.leave',
  'invite.create',
  'invite.revoke',
  'team.create',
  'team.rename',
  'team.delete',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** A row of GET /api/debates: the summary plus how the caller relates to it. */
export interface DebateListItem {
  id: string;
  title: string;
  description: string;
  createdAt: string;
  updatedAt: string;
  visibility: Visibility;
  owner: { kind: 'user' | 'team'; id: string } | null;
}
