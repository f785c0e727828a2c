import type { Metadata } from 'next';
import { AccountPanel } from '../../_components/account/AccountPanel';

export const metadata: Metadata = { title: 'Account · Crux' };

export default function AccountPage() {
  return <AccountPanel />;
}
