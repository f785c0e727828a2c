/**
 * How a person appears to others on the canvas (the awareness `user` field): their display name
 * and a colour derived from their account id, so the same person has the same colour in every
 * tab, on every device and for every viewer.
 */

/** Twelve hues that stay distinguishable on white and next to each other (Okabe–Ito + Tol). */
export const PRESENCE_COLOURS = [
  '#0072B2',
  '#D55E00',
  '#009E73',
  '#CC79A7',
  '#E69F00',
  '#56B4E9',
  '#882255',
  '#117733',
  '#AA4499',
  '#332288',
  '#44AA99',
  '#999933',
] as const;

/** For visitors without an account: one neutral colour. */
export const ANONYMOUS_COLOUR = '#6B7280';

/** FNV-1a: tiny, deterministic and spreads short ids well enough for picking a colour. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function colourFor(userId: string | null): string {
  if (userId === null) return ANONYMOUS_COLOUR;
  return PRESENCE_COLOURS[fnv1a(userId) % PRESENCE_COLOURS.length]!;
}

export interface PresenceUser {
  name: string;
  colour: string;
}

export const ANONYMOUS_NAME = 'Visitor';

export function presenceFor(user: { id: string; name: string } | null): PresenceUser {
  return user ? { name: user.name, colour: colourFor(user.id) } : { name: ANONYMOUS_NAME, colour: ANONYMOUS_COLOUR };
}
