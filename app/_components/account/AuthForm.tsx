'use client';

import Link from 'next/link';
import { useState, type FormEvent } from 'react';
import { useRouter } from 'next/navigation';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { signInSchema, signUpSchema, PASSWORD_MIN } from '@/lib/schemas/access';
import { ApiClientError } from '../../_lib/api';
import { apiFieldErrors, safeNext, signIn, signUp, zodFieldErrors, type FieldErrors } from '../../_lib/account';
import { Field } from './Field';
import styles from './account.module.css';

/** Sign in or create an account; the same zod schemas as the server name each field's problem. */
export function AuthForm({ mode, next }: { mode: 'sign-in' | 'sign-up'; next?: string }) {
  const router = useRouter();
  const qc = useQueryClient();
  const [values, setValues] = useState({ name: '', email: '', password: '' });
  const [local, setLocal] = useState<FieldErrors>({});
  const submit = useMutation({
    mutationFn: () => (mode === 'sign-up' ? signUp(values) : signIn({ email: values.email, password: values.password })),
    onSuccess: async () => {
      await qc.invalidateQueries();
      router.push(safeNext(next));
      router.refresh();
    },
  });
  const errors = { ...apiFieldErrors(submit.error), ...local };
  const formError =
    submit.error instanceof ApiClientError && Object.keys(apiFieldErrors(submit.error)).length === 0 ? submit.error.message : null;

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    const parsed = mode === 'sign-up' ? signUpSchema.safeParse(values) : signInSchema.safeParse(values);
    if (!parsed.success) {
      setLocal(zodFieldErrors(parsed.error));
      return;
    }
    setLocal({});
    submit.mutate();
  };
  const set = (k: keyof typeof values) => (e: { target: { value: string } }) => setValues((v) => ({ ...v, [k]: e.target.value }));
  const nextQuery = next ? `?next=${encodeURIComponent(next)}` : '';

  return (
    <main className={`${styles.page} ${styles.narrow}`}>
      <h1>{mode === 'sign-up' ? 'Create your account' : 'Sign in'}</h1>
      <form className="form panel" onSubmit={onSubmit} noValidate data-testid={`${mode}-form`}>
        {mode === 'sign-up' && (
          <Field
            label="Name (shown to others)"
            name="name"
            autoComplete="name"
            value={values.name}
            onChange={set('name')}
            error={errors.name}
          />
        )}
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
          label={mode === 'sign-up' ? `Password (at least ${PASSWORD_MIN} characters)` : 'Password'}
          name="password"
          type="password"
          autoComplete={mode === 'sign-up' ? 'new-password' : 'current-password'}
          value={values.password}
          onChange={set('password')}
          error={errors.password}
        />
        <button type="submit" className={styles.primary} disabled={submit.isPending}>
          {submit.isPending ? 'One moment…' : mode === 'sign-up' ? 'Create account' : 'Sign in'}
        </button>
        {formError && (
          <p role="alert" className={styles.error}>
            {formError}
          </p>
        )}
      </form>
      <p className={styles.muted}>
        {mode === 'sign-up' ? (
          <>
            Already have an account? <Link href={`/sign-in${nextQuery}`}>Sign in</Link>
          </>
        ) : (
          <>
            New here? <Link href={`/sign-up${nextQuery}`}>Create an account</Link>
          </>
        )}
      </p>
    </main>
  );
}
