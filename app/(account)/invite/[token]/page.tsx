import type { Metadata } from 'next';
import { InviteJoin } from '../../../_components/account/InviteJoin';

export const metadata: Metadata = { title: 'You are invited · Crux', referrer: 'no-referrer' };

/** Where invite links land. No referrer: the link's secret must not leak to sites linked from here. */
export default async function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  return <InviteJoin token={token} />;
}
