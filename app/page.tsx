import { DebateList } from './_components/DebateList';

export const dynamic = 'force-dynamic';

export default function HomePage() {
  return (
    <main className="home">
      <header className="home-header">
        <h1>Crux</h1>
        <p>Map a debate with your team: claims, support and attack, evidence and votes — live.</p>
      </header>
      <DebateList />
    </main>
  );
}
