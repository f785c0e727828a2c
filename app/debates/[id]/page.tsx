import { notFound } from 'next/navigation';
import { getRuntime } from '@/server/runtime';
import { getDebate } from '@/server/services/debates';
import { DebateCanvas } from '../../_components/canvas/DebateCanvas';

export const dynamic = 'force-dynamic';

export default async function DebatePage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const debate = await getDebate(getRuntime().db.prisma, id);
  if (!debate) notFound();
  return <DebateCanvas debateId={debate.id} title={debate.title} />;
}
