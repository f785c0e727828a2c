import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import { Providers } from './providers';
import './globals.css';

// Every page renders per request: Next stamps its inline scripts with the CSP nonce of that
// request (server/http/security.ts), which a page prerendered at build time could not carry.
export const dynamic = 'force-dynamic';

export const metadata: Metadata = {
  title: 'Crux — argument maps, together',
  description: 'Map a debate with your team: claims, evidence and votes, live.',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <Providers>{children}</Providers>
      </body>
    </html>
  );
}
