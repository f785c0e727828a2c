import type { Metadata } from 'next';
import { TeamList } from '../_components/account/Teams';

export const metadata: Metadata = { title: 'Teams · Crux' };

export default function TeamsPage() {
  return <TeamList />;
}
