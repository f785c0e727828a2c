'use client';

import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { MemberRole } from '@/lib/permissions';
import { INVITE_MAX_HOURS, type CreateInviteInput, type InviteInfo } from '@/lib/schemas/access';
import { apiFieldErrors, type debateInvitesQuery } from '../../_lib/account';
import styles from './account.module.css';

const EXPIRY_CHOICES = [
  { hours: 24, label: '1 day' },
  { hours: 24 * 7, label: '7 days' },
  { hours: INVITE_MAX_HOURS, label: '30 days' },
];

/** Invite links of a team or a debate: make one (role + expiry), copy it once, revoke any. */
export function InviteLinks({
  query,
  roles,
  create,
  revoke,
}: {
  /** debateInvitesQuery or teamInvitesQuery: the same shape. */
  query: ReturnType<typeof debateInvitesQuery>;
  /** The roles the viewer may hand out. */
  roles: readonly MemberRole[];
  create: (input: CreateInviteInput) => Promise<InviteInfo>;
  revoke: (inviteId: string) => Promise<unknown>;
}) {
  const qc = useQueryClient();
  const invites = useQuery(query);
  const [role, setRole] = useState<MemberRole>(roles.includes('participant') ? 'participant' : (roles[0] ?? 'viewer'));
  const [hours, setHours] = useState(24 * 7);
  const [made, setMade] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);
  const refresh = () => qc.invalidateQueries({ queryKey: query.queryKey });
  const make = useMutation({
    mutationFn: () => create({ role, expiresInHours: hours }),
    onSuccess: async (inv) => {
      setMade(`${window.location.origin}${inv.url}`);
      setCopied(false);
      await refresh();
    },
  });
  const drop = useMutation({ mutationFn: revoke, onSuccess: refresh });
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    make.mutate();
  };
  const fields = apiFieldErrors(make.error);
  const live = (i: InviteInfo) => i.revokedAt === null && Date.parse(i.expiresAt) > Date.now();

  return (
    <div className={styles.section}>
      <form className={styles.row} onSubmit={onSubmit} data-testid="invite-form">
        <label className={styles.row}>
          Role
          <select className={styles.select} value={role} onChange={(e) => setRole(e.target.value as MemberRole)} name="role">
            {roles.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </label>
        <label className={styles.row}>
          Valid for
          <select className={styles.select} value={hours} onChange={(e) => setHours(Number(e.target.value))} name="expiresInHours">
            {EXPIRY_CHOICES.map((c) => (
              <option key={c.hours} value={c.hours}>
                {c.label}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" disabled={make.isPending || roles.length === 0}>
          Make invite link
        </button>
      </form>
      {(fields.role || (make.error && Object.keys(fields).length === 0)) && (
        <p className={styles.error}>{fields.role ?? make.error?.message}</p>
      )}
      {made && (
        <div className={styles.row}>
          <input
            readOnly
            value={made}
            data-testid="invite-url"
            aria-label="Invite link"
            onFocus={(e) => e.target.select()}
            className={styles.grow}
          />
          <button
            type="button"
            onClick={() => {
              void navigator.clipboard?.writeText(made).then(() => setCopied(true));
            }}
          >
            {copied ? 'Copied' : 'Copy'}
          </button>
        </div>
      )}
      {made && <p className={styles.muted}>Copy it now: for safety, Crux keeps only a fingerprint of the link and cannot show it again.</p>}
      <ul className={styles.list} data-testid="invite-list">
        {invites.data?.items.map((i) => (
          <li key={i.id} className={styles.item}>
            <span className={styles.grow}>
              <strong>{i.role}</strong> · by {i.createdBy ?? 'someone'} · {i.uses} joined ·{' '}
              {i.revokedAt ? 'revoked' : live(i) ? `until ${new Date(i.expiresAt).toLocaleString()}` : 'expired'}
            </span>
            {live(i) && (
              <button type="button" onClick={() => drop.mutate(i.id)} disabled={drop.isPending}>
                Revoke
              </button>
            )}
          </li>
        ))}
      </ul>
      {invites.data?.items.length === 0 && <p className={styles.muted}>No invite links yet.</p>}
    </div>
  );
}
