'use client';

import Link from 'next/link';
import { useState, type FormEvent } from 'react';
import { useRouter } from 'next/navigation';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { claimAccountSchema, PASSWORD_MIN } from '@/lib/schemas/access';
import { ApiClientError } from '../../_lib/api';
import { apiFieldErrors, claimAccount, meQuery, signOut, signOutEverywhere, zodFieldErrors, type FieldErrors } from '../../_lib/account';
import { Field } from './Field';
import styles from './account.module.css';

/** A guest keeps their account: same name, same roles, now with an email and a password. */
function ClaimForm({ name }: { name: string }) {
  const qc = useQueryClient();
  const [values, setValues] = useState({ name, email: '', password: '' });
  const [local, setLocal] = useState<FieldErrors>({});
  const claim = useMutation({ mutationFn: () => claimAccount(values), onSuccess: () => qc.invalidateQueries() });
  const errors = { ...apiFieldErrors(claim.error), ...local };
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    const parsed = claimAccountSchema.safeParse(values);
    if (!parsed.success) return setLocal(zodFieldErrors(parsed.error));
    setLocal({});
    claim.mutate();
  };
  const set = (k: keyof typeof values) => (e: { target: { value: string } }) => setValues((v) => ({ ...v, [k]: e.target.value }));
  return (
    <section className={`panel ${styles.section}`} aria-labelledby="claim-h">
      <h2 id="claim-h">Keep this account</h2>
      <p className={styles.muted}>
        You joined as a guest: this browser is your only key. Add an email and a password to sign in anywhere; your roles stay.
      </p>
      <form className="form" onSubmit={onSubmit} noValidate data-testid="claim-form">
        <Field label="Name" name="name" value={values.name} onChange={set('name')} error={errors.name} />
        <Field
          label="Email"
          name="email"
          type="email"
          autoComplete="email"
          value={values.email}
          onChange={set('email')}
          error={errors.email}
        />
        <Field
          label={`Password (at least ${PASSWORD_MIN} characters)`}
          name="password"
          type="password"
          autoComplete="new-password"
          value={values.password}
          onChange={set('password')}
          error={errors.password}
        />
        <button type="submit" className={styles.primary} disabled={claim.isPending}>
          Save account
        </button>
        {claim.error instanceof ApiClientError && claim.error.fields.length === 0 && <p className={styles.error}>{claim.error.message}</p>}
      </form>
    </section>
  );
}

export function AccountPanel() {
  const me = useQuery(meQuery());
  const qc = useQueryClient();
  const router = useRouter();
  const after = async () => {
    await qc.invalidateQueries();
    router.push('/');
    router.refresh();
  };
  const out = useMutation({ mutationFn: signOut, onSuccess: after });
  const everywhere = useMutation({ mutationFn: signOutEverywhere, onSuccess: after });
  if (me.isPending) return <main className={styles.page}>Loading…</main>;
  const user = me.data?.user;
  if (!user)
    return (
      <main className={styles.page}>
        <h1>Account</h1>
        <p>
          You are not signed in. <Link href="/sign-in?next=/account">Sign in</Link> or{' '}
          <Link href="/sign-up?next=/account">create an account</Link>.
        </p>
      </main>
    );
  return (
    <main className={styles.page}>
      <p>
        <Link href="/">← Debates</Link>
      </p>
      <h1>
        <span className={styles.dot} style={{ background: user.colour }} aria-hidden />
        {user.name}
        {user.isGuest && <span className={styles.badge}>guest</span>}
      </h1>
      {user.email && <p className={styles.muted}>{user.email}</p>}
      {user.isGuest && <ClaimForm name={user.name} />}
      <section className={`panel ${styles.section}`} aria-labelledby="sessions-h">
        <h2 id="sessions-h">Sessions</h2>
        <div className={styles.row}>
          <button type="button" onClick={() => out.mutate()} disabled={out.isPending}>
            Sign out
          </button>
          <button
            type="button"
            className={styles.danger}
            onClick={() => everywhere.mutate()}
            disabled={everywhere.isPending}
            title="Ends every session of this account, on every device"
          >
            Sign out everywhere
          </button>
        </div>
        {(out.error ?? everywhere.error) && <p className={styles.error}>{(out.error ?? everywhere.error)!.message}</p>}
      </section>
      <p>
        <Link href="/teams">Your teams →</Link>
      </p>
    </main>
  );
}
