'use client';

import Link from 'next/link';
import { useState, type FormEvent } from 'react';
import { useRouter } from 'next/navigation';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { guestSchema } from '@/lib/schemas/access';
import type { InvitePreview } from '@/lib/schemas/access';
import {
  acceptInvite,
  apiFieldErrors,
  invitePreviewQuery,
  joinAsGuest,
  meQuery,
  zodFieldErrors,
  type FieldErrors,
} from '../../_lib/account';
import { Field } from './Field';
import styles from './account.module.css';

const destination = (p: InvitePreview) => (p.kind === 'team' ? `/teams/${p.targetId}` : `/debates/${p.targetId}`);

/**
 * The page an invite link opens: what it invites to, then one click to join — as the signed-in
 * account, or as a guest who only picks a display name (and can keep the account later).
 */
export function InviteJoin({ token }: { token: string }) {
  const router = useRouter();
  const qc = useQueryClient();
  const preview = useQuery(invitePreviewQuery(token));
  const me = useQuery(meQuery());
  const [name, setName] = useState('');
  const [local, setLocal] = useState<FieldErrors>({});
  const accept = useMutation({
    mutationFn: () => acceptInvite(token),
    onSuccess: async (p) => {
      await qc.invalidateQueries();
      router.push(destination(p));
    },
  });
  const guest = useMutation({
    mutationFn: async () => {
      await joinAsGuest(name);
      return acceptInvite(token);
    },
    onSuccess: async (p) => {
      await qc.invalidateQueries();
      router.push(destination(p));
    },
  });
  const onGuest = (e: FormEvent) => {
    e.preventDefault();
    const parsed = guestSchema.safeParse({ name });
    if (!parsed.success) return setLocal(zodFieldErrors(parsed.error));
    setLocal({});
    guest.mutate();
  };

  if (preview.isPending || me.isPending) return <main className={styles.page}>Loading…</main>;
  if (preview.isError)
    return (
      <main className={`${styles.page} ${styles.narrow}`}>
        <h1>Invite link</h1>
        <p className={styles.error} role="alert">
          This invite link is not valid. Ask for a new one.
        </p>
      </main>
    );
  const p = preview.data;
  const user = me.data?.user ?? null;
  const next = `/invite/${token}`;
  const guestErrors = { ...apiFieldErrors(guest.error), ...local };
  return (
    <main className={`${styles.page} ${styles.narrow}`} data-testid="invite-page">
      <h1>
        Join {p.kind === 'team' ? 'the team' : 'the debate'} “{p.targetName}”
      </h1>
      <p>
        as <strong data-testid="invite-role">{p.role}</strong>
        <span className={styles.muted}> · link valid until {new Date(p.expiresAt).toLocaleString()}</span>
      </p>
      {!p.valid ? (
        <p className={styles.error} role="alert">
          This link {p.problem === 'revoked' ? 'was revoked' : 'has expired'}. Ask for a new one.
        </p>
      ) : user ? (
        <div className="panel form">
          <p>
            Signed in as <strong>{user.name}</strong>
            {user.isGuest && <span className={styles.badge}>guest</span>}
          </p>
          <button
            type="button"
            className={styles.primary}
            onClick={() => accept.mutate()}
            disabled={accept.isPending}
            data-testid="accept-invite"
          >
            Join as {user.name}
          </button>
          {accept.error && <p className={styles.error}>{accept.error.message}</p>}
        </div>
      ) : (
        <>
          <form className="form panel" onSubmit={onGuest} noValidate data-testid="guest-form">
            <Field
              label="Your name, as others will see it"
              name="name"
              value={name}
              onChange={(e) => setName(e.target.value)}
              error={guestErrors.name}
            />
            <button type="submit" className={styles.primary} disabled={guest.isPending}>
              Join as a guest
            </button>
            <p className={styles.muted}>No email needed. You can keep the account later by adding an email and a password.</p>
            {guest.error && Object.keys(guestErrors).length === 0 && <p className={styles.error}>{guest.error.message}</p>}
          </form>
          <p className={styles.muted}>
            Have an account? <Link href={`/sign-in?next=${encodeURIComponent(next)}`}>Sign in</Link> or{' '}
            <Link href={`/sign-up?next=${encodeURIComponent(next)}`}>create one</Link> first.
          </p>
        </>
      )}
    </main>
  );
}
