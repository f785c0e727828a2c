'use client';

import Link from 'next/link';
import { useEffect, useState, type FormEvent } from 'react';
import { useRouter } from 'next/navigation';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { canAssignRole, MEMBER_ROLES, PUBLIC_ROLES, type PublicRole, type Visibility } from '@/lib/permissions';
import { claimIdSchema } from '@/lib/model/claim';
import { debateAccessQuery, hiddenClaimsQuery, useDebateAccess } from '../../_lib/access';
import {
  createDebateInvite,
  debateInvitesQuery,
  debateMembersQuery,
  debateQuery,
  deleteDebate,
  removeDebateMember,
  revokeDebateInvite,
  setDebateRole,
  setHidden,
  setLocked,
  setVisibility,
  teamsQuery,
  transferDebate,
} from '../../_lib/account';
import { AuditLog } from './AuditLog';
import { InviteLinks } from './InviteLinks';
import { MemberList } from './MemberList';
import styles from './account.module.css';

const VISIBILITY_TEXT: Record<Visibility, string> = {
  private: 'Private — only people you add',
  team: 'Team — everyone in the owning team, and people you add',
  link: 'Anyone with an invite link — without having to join',
  public: 'Public — anyone can open it',
};

function VisibilityForm({
  debateId,
  current,
  publicRole,
  hasTeam,
}: {
  debateId: string;
  current: Visibility;
  publicRole: PublicRole;
  hasTeam: boolean;
}) {
  const qc = useQueryClient();
  const [vis, setVis] = useState<Visibility>(current);
  const [role, setRole] = useState<PublicRole>(publicRole);
  useEffect(() => {
    setVis(current);
    setRole(publicRole);
  }, [current, publicRole]);
  const save = useMutation({
    mutationFn: () => setVisibility(debateId, vis, role),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['debate', debateId] }),
  });
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  return (
    <form className="form" onSubmit={onSubmit} data-testid="visibility-form">
      <fieldset className={styles.choices}>
        <legend className={styles.muted}>Who can see this debate</legend>
        {(Object.keys(VISIBILITY_TEXT) as Visibility[]).map((v) => (
          <label key={v}>
            <input
              type="radio"
              name="visibility"
              value={v}
              checked={vis === v}
              disabled={v === 'team' && !hasTeam}
              onChange={() => setVis(v)}
            />
            {VISIBILITY_TEXT[v]}
            {v === 'team' && !hasTeam && <span className={styles.muted}> (transfer it to a team first)</span>}
          </label>
        ))}
      </fieldset>
      {vis === 'public' && (
        <label className={styles.row}>
          Everyone may
          <select className={styles.select} value={role} onChange={(e) => setRole(e.target.value as PublicRole)} name="publicRole">
            {PUBLIC_ROLES.map((r) => (
              <option key={r} value={r}>
                {r === 'viewer' ? 'read (viewer)' : 'edit the map (participant)'}
              </option>
            ))}
          </select>
        </label>
      )}
      <div className={styles.row}>
        <button type="submit" disabled={save.isPending || (vis === current && role === publicRole)}>
          Save visibility
        </button>
        {save.isSuccess && <span className={styles.ok}>Saved</span>}
      </div>
      {save.error && <p className={styles.error}>{save.error.message}</p>}
    </form>
  );
}

function HiddenClaims({ debateId }: { debateId: string }) {
  const qc = useQueryClient();
  const hidden = useQuery(hiddenClaimsQuery(debateId));
  const [claimId, setClaimId] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const change = useMutation({
    mutationFn: ({ id, hide }: { id: string; hide: boolean }) => setHidden(debateId, id, hide),
    onSuccess: () => qc.invalidateQueries({ queryKey: hiddenClaimsQuery(debateId).queryKey }),
  });
  const onHide = (e: FormEvent) => {
    e.preventDefault();
    const parsed = claimIdSchema.safeParse(claimId.trim());
    if (!parsed.success) return setProblem(parsed.error.issues[0]?.message ?? 'not a claim id');
    setProblem(null);
    change.mutate({ id: parsed.data, hide: true });
    setClaimId('');
  };
  const ids = [...(hidden.data ?? [])];
  return (
    <div className={styles.section}>
      <p className={styles.muted}>
        Hidden claims stay in the map&apos;s history; the canvas leaves them out until a moderator restores them.
      </p>
      <ul className={styles.list}>
        {ids.map((id) => (
          <li key={id} className={styles.item}>
            <code className={styles.grow}>{id}</code>
            <button type="button" onClick={() => change.mutate({ id, hide: false })} disabled={change.isPending}>
              Restore
            </button>
          </li>
        ))}
      </ul>
      {ids.length === 0 && <p className={styles.muted}>No hidden claims.</p>}
      <form className={styles.row} onSubmit={onHide}>
        <input
          value={claimId}
          onChange={(e) => setClaimId(e.target.value)}
          placeholder="claim id"
          aria-label="Claim id to hide"
          className={styles.grow}
        />
        <button type="submit" disabled={change.isPending}>
          Hide
        </button>
      </form>
      {(problem ?? change.error?.message) && <p className={styles.error}>{problem ?? change.error?.message}</p>}
    </div>
  );
}

function DangerZone({ debateId, title, ownerKind }: { debateId: string; title: string; ownerKind: 'user' | 'team' | null }) {
  const qc = useQueryClient();
  const router = useRouter();
  const members = useQuery(debateMembersQuery(debateId));
  const teams = useQuery(teamsQuery());
  const [to, setTo] = useState('');
  const [confirm, setConfirm] = useState('');
  const transfer = useMutation({
    mutationFn: () => {
      const [kind, id] = to.split(':') as ['user' | 'team', string];
      return transferDebate(debateId, kind === 'team' ? { kind, teamId: id } : { kind, userId: id });
    },
    onSuccess: () => qc.invalidateQueries({ queryKey: ['debate', debateId] }),
  });
  const remove = useMutation({
    mutationFn: () => deleteDebate(debateId),
    onSuccess: async () => {
      await qc.invalidateQueries({ queryKey: ['debates'] });
      router.push('/');
    },
  });
  const people = (members.data?.items ?? []).filter((m) => m.role !== 'owner' && !m.isGuest);
  const ownTeams = (teams.data?.items ?? []).filter((t) => t.role === 'owner');
  return (
    <div className={styles.section}>
      <form
        className={styles.row}
        onSubmit={(e) => {
          e.preventDefault();
          if (to) transfer.mutate();
        }}
      >
        <label className={styles.row}>
          Transfer to
          <select className={styles.select} value={to} onChange={(e) => setTo(e.target.value)} name="transferTo">
            <option value="">choose…</option>
            {people.map((m) => (
              <option key={m.userId} value={`user:${m.userId}`}>
                {m.name} ({m.role})
              </option>
            ))}
            {ownTeams.map((t) => (
              <option key={t.id} value={`team:${t.id}`}>
                team {t.name}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" disabled={!to || transfer.isPending}>
          Transfer
        </button>
      </form>
      {ownerKind === 'user' && <p className={styles.muted}>You stay on the debate as a moderator.</p>}
      {transfer.error && <p className={styles.error}>{transfer.error.message}</p>}
      {transfer.isSuccess && <p className={styles.ok}>Transferred.</p>}
      <form
        className={styles.row}
        onSubmit={(e) => {
          e.preventDefault();
          if (confirm === title) remove.mutate();
        }}
      >
        <input
          value={confirm}
          onChange={(e) => setConfirm(e.target.value)}
          placeholder={`type “${title}” to delete`}
          aria-label="Confirm the title"
          className={styles.grow}
        />
        <button type="submit" className={styles.danger} disabled={confirm !== title || remove.isPending}>
          Delete debate
        </button>
      </form>
      {remove.error && <p className={styles.error}>{remove.error.message}</p>}
    </div>
  );
}

/** The settings of one debate, each section shown only to those `can` lets use it. */
export function DebateSettings({ debateId }: { debateId: string }) {
  const qc = useQueryClient();
  const { access, isPending, error, allows } = useDebateAccess(debateId);
  const debate = useQuery({ ...debateQuery(debateId), enabled: !!access });
  const canManage = allows('invite.manage');
  const members = useQuery({ ...debateMembersQuery(debateId), enabled: canManage });
  const refresh = () => qc.invalidateQueries({ queryKey: ['debate', debateId] });
  const lock = useMutation({ mutationFn: (locked: boolean) => setLocked(debateId, locked), onSuccess: refresh });
  const setRole = useMutation({
    mutationFn: ({ userId, role }: { userId: string; role: (typeof MEMBER_ROLES)[number] }) => setDebateRole(debateId, userId, role),
    onSettled: refresh,
  });
  const remove = useMutation({ mutationFn: (userId: string) => removeDebateMember(debateId, userId), onSettled: refresh });

  if (isPending) return <main className={styles.page}>Loading…</main>;
  if (error || !access)
    return (
      <main className={styles.page}>
        <h1>Debate settings</h1>
        <p className={styles.error} role="alert">
          {error?.message ?? 'not available'}
        </p>
        <p>
          <Link href={`/sign-in?next=${encodeURIComponent(`/debates/${debateId}/settings`)}`}>Sign in</Link> with an account that has
          access.
        </p>
      </main>
    );
  const role = access.role;
  const title = debate.data?.title ?? '';
  return (
    <main className={styles.page} data-testid="debate-settings">
      <p>
        <Link href={`/debates/${debateId}`}>← Back to the map</Link>
      </p>
      <h1>{title || 'Debate'} · settings</h1>
      <p className={styles.muted}>
        Your role: <strong data-testid="my-role">{role ?? 'none'}</strong>
        {access.owner && (
          <>
            {' '}
            · owned by {access.owner.kind === 'team' ? 'team ' : ''}
            {access.owner.name}
          </>
        )}
      </p>

      {allows('debate.visibility') && (
        <section className={`panel ${styles.section}`} aria-labelledby="vis-h">
          <h2 id="vis-h">Visibility</h2>
          <VisibilityForm
            debateId={debateId}
            current={access.access.visibility}
            publicRole={access.access.publicRole === 'viewer' ? 'viewer' : 'participant'}
            hasTeam={access.owner?.kind === 'team'}
          />
        </section>
      )}

      {allows('debate.lock') && (
        <section className={`panel ${styles.section}`} aria-labelledby="lock-h">
          <h2 id="lock-h">Lock</h2>
          <p className={styles.muted}>
            A locked debate is read-only for everyone but moderators, immediately, for people already editing too.
          </p>
          <div className={styles.row}>
            <span data-testid="lock-state">{access.access.locked ? 'Locked' : 'Open for editing'}</span>
            <button type="button" onClick={() => lock.mutate(!access.access.locked)} disabled={lock.isPending} data-testid="toggle-lock">
              {access.access.locked ? 'Unlock' : 'Lock'}
            </button>
          </div>
          {lock.error && <p className={styles.error}>{lock.error.message}</p>}
        </section>
      )}

      {canManage && (
        <section className={`panel ${styles.section}`} aria-labelledby="members-h">
          <h2 id="members-h">People</h2>
          {members.data && (
            <MemberList
              members={members.data.items}
              me={access.principal.userId}
              roles={MEMBER_ROLES}
              canAssign={(current, next) => current !== 'owner' && canAssignRole(role, current, next)}
              onRole={(userId, r) => setRole.mutate({ userId, role: r as (typeof MEMBER_ROLES)[number] })}
              onRemove={(userId) => remove.mutate(userId)}
              busy={setRole.isPending || remove.isPending}
            />
          )}
          {(setRole.error ?? remove.error) && <p className={styles.error}>{(setRole.error ?? remove.error)!.message}</p>}
          <h3>Invite links</h3>
          <InviteLinks
            query={debateInvitesQuery(debateId)}
            roles={MEMBER_ROLES.filter((r) => canAssignRole(role, null, r))}
            create={(input) => createDebateInvite(debateId, input)}
            revoke={(id) => revokeDebateInvite(debateId, id)}
          />
        </section>
      )}

      {allows('claim.hide') && (
        <section className={`panel ${styles.section}`} aria-labelledby="hidden-h">
          <h2 id="hidden-h">Hidden claims</h2>
          <HiddenClaims debateId={debateId} />
        </section>
      )}

      {allows('audit.read') && (
        <section className={`panel ${styles.section}`} aria-labelledby="audit-h">
          <h2 id="audit-h">Audit log</h2>
          <AuditLog debateId={debateId} />
        </section>
      )}

      {allows('debate.transfer') && (
        <section className={`panel ${styles.section}`} aria-labelledby="danger-h">
          <h2 id="danger-h">Ownership</h2>
          <DangerZone debateId={debateId} title={title} ownerKind={access.owner?.kind ?? null} />
        </section>
      )}

      {!canManage && !allows('debate.lock') && (
        <p className={styles.muted}>
          Only moderators and owners change settings.{' '}
          <button onClick={() => void qc.invalidateQueries({ queryKey: debateAccessQuery(debateId).queryKey })}>Check again</button>
        </p>
      )}
    </main>
  );
}
