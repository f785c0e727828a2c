import Link from 'next/link';
import { headers } from 'next/headers';
import { notFound, redirect } from 'next/navigation';
import { getRuntime } from '@/server/runtime';
import { getDebate } from '@/server/services/debates';
import { debatePageAccess } from '@/server/access/guard';
import { DebateCanvas } from '../../_components/canvas/DebateCanvas';

export const dynamic = 'force-dynamic';

export default async function DebatePage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<{ invite?: string }>;
}) {
  const { id } = await params;
  const { invite } = await searchParams;
  const gate = await debatePageAccess(id, await headers(), invite);
  if (gate === 'not-found') notFound();
  if (gate === 'unauthorized') redirect(`/sign-in?next=${encodeURIComponent(`/debates/${id}`)}`);
  if (gate === 'forbidden')
    return (
      <main className="home">
        <h1>No access</h1>
        <p>
          You do not have access to this debate. Ask its owner for an invite link, or <Link href="/account">switch account</Link>.
        </p>
      </main>
    );
  const debate = await getDebate(getRuntime().db.prisma, id);
  if (!debate) notFound();
  return <DebateCanvas debateId={debate.id} title={debate.title} epoch={String(Date.parse(debate.createdAt))} />;
}
