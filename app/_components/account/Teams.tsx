'use client';

import Link from 'next/link';
import { useState, type FormEvent } from 'react';
import { useRouter } from 'next/navigation';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { canAssignRole, canTeam, MEMBER_ROLES, ROLES, type MemberRole, type Role } from '@/lib/permissions';
import { createTeamSchema } from '@/lib/schemas/access';
import {
  apiFieldErrors,
  createTeam,
  createTeamInvite,
  deleteTeam,
  meQuery,
  renameTeam,
  removeTeamMember,
  revokeTeamInvite,
  setTeamRole,
  teamInvitesQuery,
  teamQuery,
  teamsQuery,
  zodFieldErrors,
  type FieldErrors,
} from '../../_lib/account';
import { Field } from './Field';
import { InviteLinks } from './InviteLinks';
import { MemberList } from './MemberList';
import styles from './account.module.css';

function NotSignedIn({ next }: { next: string }) {
  return (
    <p>
      <Link href={`/sign-in?next=${encodeURIComponent(next)}`}>Sign in</Link> to see your teams.
    </p>
  );
}

/** The caller's teams, and a form to start one (accounts only). */
export function TeamList() {
  const me = useQuery(meQuery());
  const teams = useQuery({ ...teamsQuery(), enabled: !!me.data?.user });
  const qc = useQueryClient();
  const router = useRouter();
  const [name, setName] = useState('');
  const [local, setLocal] = useState<FieldErrors>({});
  const create = useMutation({
    mutationFn: () => createTeam(name),
    onSuccess: async (t) => {
      await qc.invalidateQueries({ queryKey: teamsQuery().queryKey });
      router.push(`/teams/${t.id}`);
    },
  });
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    const parsed = createTeamSchema.safeParse({ name });
    if (!parsed.success) return setLocal(zodFieldErrors(parsed.error));
    setLocal({});
    create.mutate();
  };
  const user = me.data?.user;
  const errors = { ...apiFieldErrors(create.error), ...local };
  return (
    <main className={styles.page}>
      <p>
        <Link href="/">← Debates</Link>
      </p>
      <h1>Teams</h1>
      {me.isPending ? null : !user ? (
        <NotSignedIn next="/teams" />
      ) : (
        <>
          <ul className={styles.list} data-testid="team-list">
            {teams.data?.items.map((t) => (
              <li key={t.id} className={styles.item}>
                <Link href={`/teams/${t.id}`} className={styles.grow}>
                  {t.name}
                </Link>
                <span className={styles.muted}>
                  {t.role} · {t.members} member{t.members === 1 ? '' : 's'}
                </span>
              </li>
            ))}
          </ul>
          {teams.data?.items.length === 0 && <p className={styles.muted}>You are not in a team yet.</p>}
          {user.isGuest ? (
            <p className={styles.muted}>
              Guests can join teams by invite. <Link href="/account">Keep your account</Link> to start one.
            </p>
          ) : (
            <form className="form panel" onSubmit={onSubmit} noValidate data-testid="team-form">
              <Field
                label="New team"
                name="name"
                value={name}
                onChange={(e) => setName(e.target.value)}
                error={errors.name}
                placeholder="Research group"
              />
              <button type="submit" disabled={create.isPending}>
                Create team
              </button>
              {create.error && Object.keys(errors).length === 0 && <p className={styles.error}>{create.error.message}</p>}
            </form>
          )}
        </>
      )}
    </main>
  );
}

/** One team: members (roles, remove, leave) and invite links. */
export function TeamView({ teamId }: { teamId: string }) {
  const me = useQuery(meQuery());
  const team = useQuery({ ...teamQuery(teamId), enabled: !!me.data?.user });
  const qc = useQueryClient();
  const router = useRouter();
  const refresh = () => qc.invalidateQueries({ queryKey: teamQuery(teamId).queryKey });
  const setRole = useMutation({
    mutationFn: ({ userId, role }: { userId: string; role: Role }) => setTeamRole(teamId, userId, role),
    onSettled: refresh,
  });
  const remove = useMutation({
    mutationFn: (userId: string) => removeTeamMember(teamId, userId),
    onSuccess: async (_r, userId) => {
      if (userId === me.data?.user?.id) {
        await qc.invalidateQueries({ queryKey: teamsQuery().queryKey });
        router.push('/teams');
      } else await refresh();
    },
  });
  const user = me.data?.user;
  if (me.isPending) return <main className={styles.page}>Loading…</main>;
  if (!user)
    return (
      <main className={styles.page}>
        <NotSignedIn next={`/teams/${teamId}`} />
      </main>
    );
  if (team.isPending) return <main className={styles.page}>Loading…</main>;
  if (team.isError)
    return (
      <main className={styles.page}>
        <p className={styles.error}>{team.error.message}</p>
      </main>
    );
  const t = team.data;
  const error = setRole.error ?? remove.error;
  return (
    <main className={styles.page}>
      <p>
        <Link href="/teams">← Teams</Link>
      </p>
      <h1>{t.name}</h1>
      <p className={styles.muted}>Your role: {t.role}</p>
      <section className={`panel ${styles.section}`} aria-labelledby="members-h">
        <h2 id="members-h">Members</h2>
        <MemberList
          members={t.members}
          me={user.id}
          roles={ROLES}
          canAssign={(current, next) => canTeam(t.role, 'team.members') && canAssignRole(t.role, current, next, { allowOwner: true })}
          onRole={(userId, role) => setRole.mutate({ userId, role })}
          onRemove={(userId) => remove.mutate(userId)}
          busy={setRole.isPending || remove.isPending}
        />
        {error && (
          <p className={styles.error} role="alert">
            {error.message}
          </p>
        )}
      </section>
      {canTeam(t.role, 'team.rename') && <TeamOwnerTools teamId={teamId} name={t.name} />}
      {canTeam(t.role, 'team.invite') && (
        <section className={`panel ${styles.section}`} aria-labelledby="invites-h">
          <h2 id="invites-h">Invite links</h2>
          <InviteLinks
            query={teamInvitesQuery(teamId)}
            roles={MEMBER_ROLES.filter((r: MemberRole) => canAssignRole(t.role, null, r))}
            create={(input) => createTeamInvite(teamId, input)}
            revoke={(id) => revokeTeamInvite(teamId, id)}
          />
        </section>
      )}
    </main>
  );
}

/** Rename and delete, for the team's owners. Deleting asks for the team's name, as a guard. */
function TeamOwnerTools({ teamId, name }: { teamId: string; name: string }) {
  const qc = useQueryClient();
  const router = useRouter();
  const [draft, setDraft] = useState(name);
  const [confirm, setConfirm] = useState('');
  const rename = useMutation({
    mutationFn: () => renameTeam(teamId, draft),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['teams'] }),
  });
  const remove = useMutation({
    mutationFn: () => deleteTeam(teamId),
    onSuccess: async () => {
      qc.removeQueries({ queryKey: teamQuery(teamId).queryKey });
      await qc.invalidateQueries({ queryKey: teamsQuery().queryKey });
      router.push('/teams');
    },
  });
  const errors = apiFieldErrors(rename.error);
  return (
    <section className={`panel ${styles.section}`} aria-labelledby="team-owner-h">
      <h2 id="team-owner-h">Team settings</h2>
      <form
        className="form"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          rename.mutate();
        }}
      >
        <Field label="Team name" name="name" value={draft} onChange={(e) => setDraft(e.target.value)} error={errors.name} />
        <button type="submit" disabled={rename.isPending || draft.trim() === name}>
          Rename
        </button>
        {rename.error && Object.keys(errors).length === 0 && <p className={styles.error}>{rename.error.message}</p>}
      </form>
      <form
        className="form"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          remove.mutate();
        }}
        data-testid="delete-team-form"
      >
        <Field
          label={`Delete the team: type its name (${name}) to confirm`}
          name="confirm"
          value={confirm}
          onChange={(e) => setConfirm(e.target.value)}
        />
        <button type="submit" className="danger" disabled={remove.isPending || confirm !== name}>
          Delete team
        </button>
        {remove.error && (
          <p className={styles.error} role="alert">
            {remove.error.message}
          </p>
        )}
      </form>
    </section>
  );
}
