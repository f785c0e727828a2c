import { queryOptions } from '@tanstack/react-query';
import type { z } from 'zod';
import type { MemberRole, Role, Visibility, PublicRole } from '@/lib/permissions';
import type {
  AuditEntryInfo,
  ClaimAccountInput,
  CreateInviteInput,
  DebateListItem,
  InviteInfo,
  InvitePreview,
  MeInfo,
  MemberInfo,
  SignInInput,
  SignUpInput,
  TeamDetail,
  TeamSummary,
  TransferInput,
} from '@/lib/schemas/access';
import type { DebateSummary } from '@/lib/schemas/debate';
import { ApiClientError, apiFetch } from './api';

/*
 * The account, team and debate-settings API for the browser: one query option per query (so
 * every component shares its cache entry) and one function per mutation.
 */

export type FieldErrors = Record<string, string>;

/** Field errors of a failed zod parse: the form shows them before anything is sent. */
export function zodFieldErrors(error: z.ZodError): FieldErrors {
  const out: FieldErrors = {};
  for (const i of error.issues) {
    const key = i.path.length > 0 ? i.path.join('.') : '(body)';
    out[key] ??= i.message;
  }
  return out;
}

/** Field errors of a failed request (Crux's error body, or better-auth's mapped by authError). */
export function apiFieldErrors(e: unknown): FieldErrors {
  const out: FieldErrors = {};
  if (e instanceof ApiClientError) for (const f of e.fields) out[f.field] ??= f.message;
  return out;
}

/** better-auth answers `{ message, code }`; this maps it onto the fields of the form that sent it. */
function authError(status: number, data: { message?: string; code?: string } | null): ApiClientError {
  let message = data?.message ?? `request failed (${status})`;
  const fields: { field: string; message: string }[] = [];
  // Crux's sign-up check (server/auth/auth.ts) words its message "field — problem; field — problem".
  for (const part of message.split('; ')) {
    const m = /^([\w.]+) — (.+)$/.exec(part);
    if (m) fields.push({ field: m[1]!, message: m[2]! });
  }
  const code = data?.code ?? '';
  if (code.startsWith('USER_ALREADY_EXISTS'))
    fields.push({ field: 'email', message: 'an account with this email already exists: sign in instead' });
  if (code === 'PASSWORD_TOO_SHORT' || code === 'PASSWORD_TOO_LONG') fields.push({ field: 'password', message: message.toLowerCase() });
  if (code === 'INVALID_EMAIL') fields.push({ field: 'email', message: 'enter an email address like ada@example.com' });
  if (code === 'INVALID_EMAIL_OR_PASSWORD') message = 'that email and password do not match an account';
  if (status === 429) message = 'too many attempts: wait a few minutes, then try again';
  return new ApiClientError(status, message, fields);
}

async function authPost<T>(path: string, body: unknown): Promise<T> {
  const res = await fetch(`/api/auth${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const data = (await res.json().catch(() => null)) as (T & { message?: string; code?: string }) | null;
  if (!res.ok) throw authError(res.status, data);
  return data as T;
}

const json = (method: string, body?: unknown): RequestInit => ({ method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
const enc = encodeURIComponent;

// ---- account ---------------------------------------------------------------------------------

export const meQuery = () => queryOptions({ queryKey: ['me'], queryFn: () => apiFetch<MeInfo>('/api/account/me'), staleTime: 30_000 });

export const signUp = (input: SignUpInput) => authPost<unknown>('/sign-up/email', input);
export const signIn = (input: SignInInput) => authPost<unknown>('/sign-in/email', input);
export const signOut = () => authPost<unknown>('/sign-out', {});
/** Ends every session of the account, on every device. */
export const signOutEverywhere = () => authPost<unknown>('/revoke-sessions', {});
export const joinAsGuest = (name: string) => apiFetch<{ user: { id: string; name: string } }>('/api/account/guest', json('POST', { name }));
export const claimAccount = (input: ClaimAccountInput) => apiFetch<{ ok: true }>('/api/account/claim', json('POST', input));

/** Only same-site paths: `?next=` must never send someone to another site after signing in. */
export function safeNext(next: string | null | undefined): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : '/';
}

// ---- teams -----------------------------------------------------------------------------------

export const teamsQuery = () => queryOptions({ queryKey: ['teams'], queryFn: () => apiFetch<{ items: TeamSummary[] }>('/api/teams') });
export const teamQuery = (id: string) =>
  queryOptions({ queryKey: ['teams', id], queryFn: () => apiFetch<TeamDetail>(`/api/teams/${enc(id)}`) });
export const teamInvitesQuery = (id: string) =>
  queryOptions({ queryKey: ['teams', id, 'invites'], queryFn: () => apiFetch<{ items: InviteInfo[] }>(`/api/teams/${enc(id)}/invites`) });

export const createTeam = (name: string) => apiFetch<TeamSummary>('/api/teams', json('POST', { name }));
export const renameTeam = (teamId: string, name: string) => apiFetch<TeamSummary>(`/api/teams/${enc(teamId)}`, json('PATCH', { name }));
export const deleteTeam = (teamId: string) => apiFetch<null>(`/api/teams/${enc(teamId)}`, json('DELETE'));
export const setTeamRole = (teamId: string, userId: string, role: Role) =>
  apiFetch<MemberInfo>(`/api/teams/${enc(teamId)}/members/${enc(userId)}`, json('PATCH', { role }));
export const removeTeamMember = (teamId: string, userId: string) =>
  apiFetch<null>(`/api/teams/${enc(teamId)}/members/${enc(userId)}`, json('DELETE'));
export const createTeamInvite = (teamId: string, input: CreateInviteInput) =>
  apiFetch<InviteInfo>(`/api/teams/${enc(teamId)}/invites`, json('POST', input));
export const revokeTeamInvite = (teamId: string, inviteId: string) =>
  apiFetch<null>(`/api/teams/${enc(teamId)}/invites/${enc(inviteId)}`, json('DELETE'));

// ---- invite links ----------------------------------------------------------------------------

export const invitePreviewQuery = (token: string) =>
  queryOptions({ queryKey: ['invite', token], queryFn: () => apiFetch<InvitePreview>(`/api/invites/${enc(token)}`), retry: false });
export const acceptInvite = (token: string) => apiFetch<InvitePreview>(`/api/invites/${enc(token)}`, json('POST', {}));

// ---- debates ---------------------------------------------------------------------------------

export const myDebatesQuery = () =>
  queryOptions({
    queryKey: ['debates'],
    queryFn: () => apiFetch<{ items: DebateListItem[]; nextCursor: string | null }>('/api/debates?limit=100'),
  });
export const debateQuery = (id: string) =>
  queryOptions({ queryKey: ['debate', id], queryFn: () => apiFetch<DebateSummary>(`/api/debates/${enc(id)}`) });
export const debateMembersQuery = (id: string) =>
  queryOptions({
    queryKey: ['debate', id, 'members'],
    queryFn: () => apiFetch<{ items: MemberInfo[] }>(`/api/debates/${enc(id)}/members`),
  });
export const debateInvitesQuery = (id: string) =>
  queryOptions({
    queryKey: ['debate', id, 'invites'],
    queryFn: () => apiFetch<{ items: InviteInfo[] }>(`/api/debates/${enc(id)}/invites`),
  });
export const auditQuery = (id: string) =>
  queryOptions({
    queryKey: ['debate', id, 'audit'],
    queryFn: () => apiFetch<{ items: AuditEntryInfo[]; nextBefore: number | null }>(`/api/debates/${enc(id)}/audit?limit=100`),
  });

export const createOwnedDebate = (input: { title: string; description?: string; teamId?: string; visibility?: Visibility }) =>
  apiFetch<DebateSummary>('/api/debates', json('POST', input));
export const setVisibility = (id: string, visibility: Visibility, publicRole?: PublicRole) =>
  apiFetch<{ visibility: Visibility; publicRole: PublicRole }>(
    `/api/debates/${enc(id)}/visibility`,
    json('PUT', { visibility, publicRole }),
  );
export const setLocked = (id: string, locked: boolean) =>
  apiFetch<{ locked: boolean }>(`/api/debates/${enc(id)}/lock`, json('PUT', { locked }));
export const setHidden = (id: string, claimId: string, hidden: boolean) =>
  apiFetch<{ changed: boolean }>(`/api/debates/${enc(id)}/hidden`, json('POST', { claimId, hidden }));
export const setDebateRole = (id: string, userId: string, role: MemberRole) =>
  apiFetch<MemberInfo>(`/api/debates/${enc(id)}/members/${enc(userId)}`, json('PATCH', { role }));
export const removeDebateMember = (id: string, userId: string) =>
  apiFetch<null>(`/api/debates/${enc(id)}/members/${enc(userId)}`, json('DELETE'));
export const createDebateInvite = (id: string, input: CreateInviteInput) =>
  apiFetch<InviteInfo>(`/api/debates/${enc(id)}/invites`, json('POST', input));
export const revokeDebateInvite = (id: string, inviteId: string) =>
  apiFetch<null>(`/api/debates/${enc(id)}/invites/${enc(inviteId)}`, json('DELETE'));
export const transferDebate = (id: string, to: TransferInput['to']) =>
  apiFetch<null>(`/api/debates/${enc(id)}/transfer`, json('POST', { to }));
export const deleteDebate = (id: string) => apiFetch<null>(`/api/debates/${enc(id)}`, json('DELETE'));
