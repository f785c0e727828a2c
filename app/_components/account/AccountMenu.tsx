'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { meQuery, signOut } from '../../_lib/account';
import styles from './account.module.css';

/** Who is signed in (with their presence colour), or the way in. */
export function AccountMenu() {
  const me = useQuery(meQuery());
  const qc = useQueryClient();
  const router = useRouter();
  const out = useMutation({
    mutationFn: signOut,
    onSuccess: async () => {
      await qc.invalidateQueries();
      router.refresh();
    },
  });
  if (me.isPending) return <nav className={styles.menu} aria-label="Account" />;
  const user = me.data?.user ?? null;
  if (!user)
    return (
      <nav className={styles.menu} aria-label="Account" data-testid="account-menu">
        <Link href="/sign-in">Sign in</Link>
        <Link href="/sign-up">Create account</Link>
      </nav>
    );
  return (
    <nav className={styles.menu} aria-label="Account" data-testid="account-menu">
      <span data-testid="signed-in-as">
        <span className={styles.dot} style={{ background: user.colour }} aria-hidden />
        {user.name}
        {user.isGuest && <span className={styles.badge}>guest</span>}
      </span>
      <Link href="/teams">Teams</Link>
      <Link href="/account">Account</Link>
      <button type="button" onClick={() => out.mutate()} disabled={out.isPending}>
        Sign out
      </button>
    </nav>
  );
}
