import { describe, expect, it } from 'vitest';
import {
  NO_GRANTS,
  can,
  canAssignRole,
  canCreate,
  canTeam,
  canViewPerspective,
  effectiveRole,
  type Phase,
  type PerspectiveTarget,
  type DebateAccess,
  type Grants,
  type Principal,
  type Role,
} from '../../lib/permissions';
import { ANONYMOUS_COLOUR, PRESENCE_COLOURS, colourFor } from '../../lib/presence';

const visitor: Principal = { userId: null, isGuest: false };
const guest: Principal = { userId: 'g', isGuest: true };
const member: Principal = { userId: 'u', isGuest: false };
const debate = (over: Partial<DebateAccess> = {}): DebateAccess => ({
  visibility: 'private',
  locked: false,
  phase: 'open',
  publicRole: 'participant',
  ...over,
});
const grants = (over: Partial<Grants> = {}): Grants => ({ ...NO_GRANTS, ...over });

describe('effectiveRole', () => {
  const cases: [string, Principal, DebateAccess, Grants, Role | null][] = [
    ['private: nobody without a grant', member, debate(), grants(), null],
    ['private: the team role does not count', member, debate(), grants({ teamRole: 'moderator' }), null],
    ['private: an explicit role does', member, debate(), grants({ debateRole: 'viewer' }), 'viewer'],
    ['team: the team role counts', member, debate({ visibility: 'team' }), grants({ teamRole: 'participant' }), 'participant'],
    [
      'team: the higher of team and debate role',
      member,
      debate({ visibility: 'team' }),
      grants({ teamRole: 'viewer', debateRole: 'moderator' }),
      'moderator',
    ],
    ['link: a presented link grants its role', visitor, debate({ visibility: 'link' }), grants({ linkRole: 'participant' }), 'participant'],
    ['private: a link grants nothing', visitor, debate(), grants({ linkRole: 'participant' }), null],
    ['public: visitors get the public role', visitor, debate({ visibility: 'public' }), grants(), 'participant'],
    ['public: read-only public role', guest, debate({ visibility: 'public', publicRole: 'viewer' }), grants(), 'viewer'],
    ['public: a higher own role wins', member, debate({ visibility: 'public' }), grants({ debateRole: 'moderator' }), 'moderator'],
  ];
  it.each(cases)('%s', (_name, p, d, g, expected) => expect(effectiveRole(p, d, g)).toBe(expected));
});

describe('can', () => {
  const cases: [string, Principal, DebateAccess, Grants, Parameters<typeof can>[3], ReturnType<typeof can>][] = [
    ['a visitor edits a public map', visitor, debate({ visibility: 'public' }), grants(), 'map.edit', { ok: true }],
    [
      'a visitor may not add evidence (it is attributed)',
      visitor,
      debate({ visibility: 'public' }),
      grants(),
      'evidence.add',
      { ok: false, reason: 'not-signed-in' },
    ],
    ['a guest may', guest, debate({ visibility: 'public' }), grants(), 'evidence.add', { ok: true }],
    [
      'a visitor is told to sign in on a private debate',
      visitor,
      debate(),
      grants(),
      'debate.read',
      { ok: false, reason: 'not-signed-in' },
    ],
    ['a stranger has no access', member, debate(), grants(), 'debate.read', { ok: false, reason: 'no-access' }],
    ['a viewer may not edit', member, debate(), grants({ debateRole: 'viewer' }), 'map.edit', { ok: false, reason: 'role-too-low' }],
    [
      'a lock stops participants',
      member,
      debate({ locked: true }),
      grants({ debateRole: 'participant' }),
      'map.edit',
      { ok: false, reason: 'debate-locked' },
    ],
    ['a lock does not stop moderators', member, debate({ locked: true }), grants({ debateRole: 'moderator' }), 'map.edit', { ok: true }],
    ['moderators lock', member, debate(), grants({ debateRole: 'moderator' }), 'debate.lock', { ok: true }],
    [
      'only owners change visibility',
      member,
      debate(),
      grants({ debateRole: 'moderator' }),
      'debate.visibility',
      { ok: false, reason: 'role-too-low' },
    ],
    ['owners delete', member, debate(), grants({ debateRole: 'owner' }), 'debate.delete', { ok: true }],
  ];
  it.each(cases)('%s', (_name, p, d, g, action, expected) => expect(can(p, d, g, action)).toEqual(expected));
});

describe('canAssignRole', () => {
  const cases: [Role | null, Role | null, Role | null, boolean, boolean][] = [
    // actor, current, next, allowOwner, expected
    ['participant', 'viewer', 'participant', false, false],
    ['moderator', 'viewer', 'participant', false, true],
    ['moderator', null, 'participant', false, true],
    ['moderator', 'viewer', 'moderator', false, false],
    ['moderator', 'moderator', 'viewer', false, false],
    ['moderator', 'participant', null, false, true],
    ['owner', 'moderator', 'viewer', false, true],
    ['owner', 'viewer', 'owner', false, false],
    ['owner', 'viewer', 'owner', true, true],
  ];
  it.each(cases)('%s sets %s → %s (owners allowed: %s): %s', (actor, current, next, allowOwner, expected) =>
    expect(canAssignRole(actor, current, next, { allowOwner })).toBe(expected),
  );
  it('team actions follow the team role; only accounts start debates and teams', () => {
    expect(canTeam('viewer', 'team.read')).toBe(true);
    expect(canTeam('viewer', 'team.debate.create')).toBe(false);
    expect(canTeam('moderator', 'team.invite')).toBe(true);
    expect(canTeam(null, 'team.read')).toBe(false);
    expect([canCreate(visitor), canCreate(guest), canCreate(member)]).toEqual([false, false, true]);
  });
});

describe('canViewPerspective', () => {
  const self: PerspectiveTarget = { kind: 'user', self: true };
  const other: PerspectiveTarget = { kind: 'user', self: false };
  const myTeam: PerspectiveTarget = { kind: 'team', member: true };
  const team: PerspectiveTarget = { kind: 'team', member: false };
  const everyone: PerspectiveTarget = { kind: 'everyone' };
  const cases: [string, Principal, Role | null, Phase, PerspectiveTarget, boolean][] = [
    ['everyone: any reader', visitor, 'viewer', 'open', everyone, true],
    ['everyone: not without a role', member, null, 'closed', everyone, false],
    ['own votes: a participant', member, 'participant', 'open', self, true],
    ['own votes: a visitor has none', visitor, 'participant', 'open', self, false],
    ["another's votes: private while open", member, 'participant', 'open', other, false],
    ["another's votes: private while voting", member, 'participant', 'voting', other, false],
    ["another's votes: moderators may look", member, 'moderator', 'voting', other, true],
    ["another's votes: anyone once closed", visitor, 'viewer', 'closed', other, true],
    ['a team: its members', guest, 'participant', 'open', myTeam, true],
    ['a team: not others', member, 'participant', 'voting', team, false],
    ['a team: moderators', member, 'moderator', 'open', team, true],
    ['a team: anyone once closed', member, 'viewer', 'closed', team, true],
    ['a team: members need read access too', member, null, 'open', myTeam, false],
  ];
  it.each(cases)('%s', (_name, p, role, phase, target, expected) => {
    expect(canViewPerspective(p, role, phase, target)).toBe(expected);
  });
});

describe('presence colours', () => {
  it('are stable per account, from the palette, and spread across it', () => {
    expect(colourFor('user-1')).toBe(colourFor('user-1'));
    expect(colourFor(null)).toBe(ANONYMOUS_COLOUR);
    const seen = new Set(Array.from({ length: 200 }, (_, i) => colourFor(`id-${i}`)));
    for (const c of seen) expect(PRESENCE_COLOURS).toContain(c);
    expect(seen.size).toBeGreaterThanOrEqual(PRESENCE_COLOURS.length - 1);
  });
});
