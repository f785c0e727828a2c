import type { Metadata } from 'next';
import { TeamView } from '../../_components/account/Teams';

export const metadata: Metadata = { title: 'Team · Crux' };

export default async function TeamPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <TeamView teamId={id} />;
}
