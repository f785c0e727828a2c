'use client';

import type { PresenceStore } from './presenceStore';
import { useParticipants, type FollowApi } from './usePresence';

const dot = (colour: string) => (
  <span
    aria-hidden="true"
    style={{ display: 'inline-block', width: 10, height: 10, borderRadius: '50%', background: colour, flex: 'none' }}
  />
);

/**
 * Who is in the debate right now: this tab first, then the others by name, each with their
 * colour and a Follow button that makes this viewport track theirs until the user pans.
 */
export function WhoIsHere({ presence, follow }: { presence: PresenceStore | null; follow: FollowApi }) {
  const people = useParticipants(presence);
  if (!presence) return null;
  return (
    <section aria-label="People here" data-testid="who-is-here" style={{ display: 'flex', alignItems: 'center', gap: '0.5rem' }}>
      <ul style={{ listStyle: 'none', margin: 0, padding: 0, display: 'flex', flexWrap: 'wrap', gap: '0.5rem', alignItems: 'center' }}>
        <li data-testid="participant" data-self="yes" style={{ display: 'flex', alignItems: 'center', gap: '0.3rem', fontSize: '0.85rem' }}>
          {dot(presence.user.colour)}
          <span>{presence.user.name} (you)</span>
        </li>
        {people.map((p) => {
          const on = follow.following === p.clientId;
          return (
            <li
              key={p.clientId}
              data-testid="participant"
              data-client-id={p.clientId}
              style={{ display: 'flex', alignItems: 'center', gap: '0.3rem', fontSize: '0.85rem' }}
            >
              {dot(p.colour)}
              <span>{p.name}</span>
              <button
                type="button"
                aria-pressed={on}
                aria-label={on ? `Stop following ${p.name}` : `Follow ${p.name}`}
                title={on ? 'Stop following (or pan the map)' : `Show what ${p.name} sees`}
                onClick={() => follow.follow(on ? null : p.clientId)}
                data-testid="follow"
                style={{ padding: '0.1rem 0.45rem', fontSize: '0.8rem', borderColor: on ? p.colour : undefined }}
              >
                {on ? 'Following' : 'Follow'}
              </button>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
