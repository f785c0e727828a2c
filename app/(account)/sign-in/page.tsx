import type { Metadata } from 'next';
import { AuthForm } from '../../_components/account/AuthForm';

export const metadata: Metadata = { title: 'Sign in · Crux' };

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ next?: string }> }) {
  const { next } = await searchParams;
  return <AuthForm mode="sign-in" next={next} />;
}
