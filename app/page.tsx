import { DebateList } from './_components/DebateList';
import { AccountMenu } from './_components/account/AccountMenu';

export const dynamic = 'force-dynamic';

export default function HomePage() {
  return (
    <main className="home">
      <header className="home-header">
        <div style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'baseline', gap: '1rem', flexWrap: 'wrap' }}>
          <h1>Crux</h1>
          <AccountMenu />
        </div>
        <p>Map a debate with your team: claims, support and attack, evidence and votes — live.</p>
      </header>
      <DebateList />
    </main>
  );
}
