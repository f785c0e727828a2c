import type { Metadata } from 'next';
import { AuthForm } from '../../_components/account/AuthForm';

export const metadata: Metadata = { title: 'Create an account · Crux' };

export default async function SignUpPage({ searchParams }: { searchParams: Promise<{ next?: string }> }) {
  const { next } = await searchParams;
  return <AuthForm mode="sign-up" next={next} />;
}
