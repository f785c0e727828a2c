import type { Metadata } from 'next';
import { DebateSettings } from '../../../_components/account/DebateSettings';

export const metadata: Metadata = { title: 'Debate settings · Crux' };

export default async function DebateSettingsPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <DebateSettings debateId={id} />;
}
