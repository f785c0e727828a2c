import { maxRole, type DebateAccess, type Grants, type Phase, type Role } from '../../lib/permissions';
import type { PrismaClient } from '../db/client';
import type { Sql } from '../db/sql';
import type { LiveBus } from '../live/bus';
import { invalidate, onInvalidation, type Invalidation } from './invalidation';
import { hashToken, looksLikeToken } from './tokens';
import { perServer } from '../perServer';

/** A debate's access settings and one principal's roles on it: what `can` needs. */
export interface DebateGrants {
  id: string;
  title: string;
  ownerUserId: string | null;
  ownerTeamId: string | null;
  access: DebateAccess;
  grants: Grants;
}

export const asRole = (r: string | null | undefined): Role | null =>
  r === 'viewer' || r === 'participant' || r === 'moderator' || r === 'owner' ? r : null;

/** The stored phase (a CHECK constraint admits only these); anything else reads as the strictest. */
export const asPhase = (p: string): Phase => (p === 'open' || p === 'voting' ? p : 'closed');

/**
 * Loads the debate's settings and the principal's roles: their membership, their role in the
 * owning team, ownership (the owner, or an owner of the owning team, is 'owner'), and the role of
 * the invite link they presented, if it is valid for this debate. null: no such debate.
 */
export async function loadDebateGrants(
  prisma: PrismaClient,
  debateId: string,
  userId: string | null,
  linkToken?: string | null,
): Promise<DebateGrants | null> {
  return (await readGrants(prisma, debateId, userId, linkToken))?.grants ?? null;
}

/** What the grants are made of: the debate's row and the principal's rows next to it. */
interface GrantRows {
  debate: {
    id: string;
    title: string;
    ownerUserId: string | null;
    ownerTeamId: string | null;
    visibility: string;
    publicRole: string;
    locked: boolean;
    phase: string;
  };
  memberRole: string | null;
  teamRole: string | null;
  link: { debateId: string | null; role: string; expiresAt: Date; revokedAt: Date | null } | null;
}

/** The grants, and until when the invite link that raised them stays valid (for the cache). */
function grantsOf(rows: GrantRows, debateId: string, userId: string | null): { grants: DebateGrants; linkExpiresAt: number | null } {
  const { debate: d, link } = rows;
  const teamRole = asRole(rows.teamRole);
  const linkValid = link && link.debateId === debateId && link.revokedAt === null && link.expiresAt.getTime() > Date.now();
  return {
    linkExpiresAt: linkValid ? link.expiresAt.getTime() : null,
    grants: {
      id: d.id,
      title: d.title,
      ownerUserId: d.ownerUserId,
      ownerTeamId: d.ownerTeamId,
      access: {
        visibility: d.visibility as DebateAccess['visibility'],
        locked: d.locked,
        phase: asPhase(d.phase),
        publicRole: asRole(d.publicRole),
      },
      grants: {
        debateRole: maxRole(
          asRole(rows.memberRole),
          userId !== null && d.ownerUserId === userId ? 'owner' : null,
          teamRole === 'owner' ? 'owner' : null,
        ),
        teamRole,
        linkRole: linkValid ? asRole(link.role) : null,
      },
    },
  };
}

async function readGrants(
  prisma: PrismaClient,
  debateId: string,
  userId: string | null,
  linkToken?: string | null,
): Promise<{ grants: DebateGrants; linkExpiresAt: number | null } | null> {
  const d = await prisma.debate.findUnique({
    where: { id: debateId },
    select: { id: true, title: true, ownerUserId: true, ownerTeamId: true, visibility: true, publicRole: true, locked: true, phase: true },
  });
  if (!d) return null;
  const [member, teamMember, link] = await Promise.all([
    userId ? prisma.debateMember.findUnique({ where: { debateId_userId: { debateId, userId } }, select: { role: true } }) : null,
    userId && d.ownerTeamId
      ? prisma.teamMember.findUnique({ where: { teamId_userId: { teamId: d.ownerTeamId, userId } }, select: { role: true } })
      : null,
    d.visibility === 'link' && looksLikeToken(linkToken)
      ? prisma.invite.findUnique({
          where: { tokenHash: hashToken(linkToken) },
          select: { debateId: true, role: true, expiresAt: true, revokedAt: true },
        })
      : null,
  ]);
  return grantsOf({ debate: d, memberRole: member?.role ?? null, teamRole: teamMember?.role ?? null, link }, debateId, userId);
}

/** The same rows as readGrants in one prepared statement: what the cache reloads on a miss. */
const GRANTS_SQL = `
  SELECT d."id", d."title", d."ownerUserId", d."ownerTeamId", d."visibility", d."publicRole", d."locked", d."phase",
         m."role" AS "memberRole", tm."role" AS "teamRole",
         i."debateId" AS "linkDebateId", i."role" AS "linkRole", i."expiresAt" AS "linkExpiresAt", i."revokedAt" AS "linkRevokedAt"
    FROM "Debate" d
    LEFT JOIN "DebateMember" m ON m."debateId" = d."id" AND m."userId" = $2
    LEFT JOIN "TeamMember" tm ON tm."teamId" = d."ownerTeamId" AND tm."userId" = $2
    LEFT JOIN "Invite" i ON d."visibility" = 'link' AND i."tokenHash" = $3
   WHERE d."id" = $1`;

type GrantsRow = GrantRows['debate'] & {
  memberRole: string | null;
  teamRole: string | null;
  linkDebateId: string | null;
  linkRole: string | null;
  linkExpiresAt: Date | string | null;
  linkRevokedAt: Date | string | null;
};

async function readGrantsSql(
  sql: Sql,
  debateId: string,
  userId: string | null,
  linkToken?: string | null,
): Promise<{ grants: DebateGrants; linkExpiresAt: number | null } | null> {
  const [r] = await sql.query<GrantsRow>(
    GRANTS_SQL,
    [debateId, userId, looksLikeToken(linkToken) ? hashToken(linkToken) : null],
    'crux_grants',
  );
  if (!r) return null;
  const date = (v: Date | string | null) => (v === null ? null : new Date(v));
  return grantsOf(
    {
      debate: r,
      memberRole: r.memberRole,
      teamRole: r.teamRole,
      link:
        r.linkRole === null
          ? null
          : { debateId: r.linkDebateId, role: r.linkRole, expiresAt: date(r.linkExpiresAt)!, revokedAt: date(r.linkRevokedAt) },
    },
    debateId,
    userId,
  );
}

// ---- the cache ---------------------------------------------------------------------------------

/**
 * How long loaded grants are reused without asking the database. Every change to what they hold
 * goes through accessChanged (server/access/changes.ts), which drops them at once on every
 * instance (server/access/invalidation.ts); the TTL only bounds what a lost notification leaves.
 */
export const GRANTS_CACHE_TTL_MS = 5_000;
const MAX_ENTRIES = 50_000;

interface GrantsEntry {
  grants: DebateGrants;
  debateId: string;
  userId: string | null;
  until: number;
}

/**
 * Debate grants of one instance, per (debate, principal, presented invite link). Only debates
 * that exist are kept (a debate created after a miss must not look missing). A load that was in
 * flight while an invalidation arrived is not stored: it may have read the rows before the change.
 */
export class GrantsCache {
  ttlMs = GRANTS_CACHE_TTL_MS;
  generation = 0;
  private readonly entries = new Map<string, GrantsEntry>();

  static key(debateId: string, userId: string | null, linkToken?: string | null): string {
    return `${debateId}\n${userId ?? ''}\n${looksLikeToken(linkToken) ? hashToken(linkToken) : ''}`;
  }

  get(key: string, now = Date.now()): DebateGrants | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.until > now) return e.grants;
    this.entries.delete(key);
    return undefined;
  }

  set(key: string, e: Omit<GrantsEntry, 'until'>, generation: number, validUntil: number | null, now = Date.now()): void {
    if (generation !== this.generation) return;
    if (this.entries.size >= MAX_ENTRIES) {
      for (const [k, old] of this.entries) if (old.until <= now) this.entries.delete(k);
      for (const k of this.entries.keys()) {
        if (this.entries.size < MAX_ENTRIES) break;
        this.entries.delete(k);
      }
    }
    this.entries.set(key, { ...e, until: Math.min(now + this.ttlMs, validUntil ?? Infinity) });
  }

  drop(inv: Invalidation): void {
    if (inv.kind === 'sessions') return;
    this.generation++;
    if (inv.kind === 'all') return this.entries.clear();
    for (const [k, e] of this.entries)
      if (
        (inv.kind === 'grants-debate' && e.debateId === inv.debateId) ||
        (inv.kind === 'grants-team' && e.grants.ownerTeamId === inv.teamId) ||
        (inv.kind === 'grants-user' && e.userId === inv.userId)
      )
        this.entries.delete(k);
  }

  get size(): number {
    return this.entries.size;
  }
}

/** This instance's grants cache (one per live bus, i.e. per server). */
export function grantsCacheOf(live: LiveBus): GrantsCache {
  return perServer('grantsCache', live, () => {
    const c = new GrantsCache();
    onInvalidation(live, (inv) => c.drop(inv));
    return c;
  });
}

/** loadDebateGrants through this instance's cache. Shared results: callers must not change them. */
export async function debateGrants(
  rt: { db: { sql: Sql }; live: LiveBus },
  debateId: string,
  userId: string | null,
  linkToken?: string | null,
): Promise<DebateGrants | null> {
  const cache = grantsCacheOf(rt.live);
  const key = GrantsCache.key(debateId, userId, linkToken);
  const hit = cache.get(key);
  if (hit) return hit;
  const generation = cache.generation;
  const loaded = await readGrantsSql(rt.db.sql, debateId, userId, linkToken);
  if (!loaded) return null;
  const g = loaded.grants;
  Object.freeze(g.access);
  Object.freeze(g.grants);
  Object.freeze(g);
  cache.set(key, { grants: g, debateId, userId }, generation, loaded.linkExpiresAt);
  return g;
}

/** Who may now do something else on which debates (see AccessScope in server/access/changes.ts). */
export interface GrantsScope {
  debateIds?: readonly string[];
  teamId?: string;
  userId?: string;
}

/**
 * Drops the cached grants a committed change makes wrong: here before this returns to the event
 * loop, on every other instance when the notification arrives.
 */
export async function grantsChanged(live: LiveBus, scope: GrantsScope): Promise<void> {
  grantsCacheOf(live);
  const items: Invalidation[] = (scope.debateIds ?? []).map((debateId) => ({ kind: 'grants-debate', debateId }));
  if (scope.teamId) items.push({ kind: 'grants-team', teamId: scope.teamId });
  if (scope.userId) items.push({ kind: 'grants-user', userId: scope.userId });
  if (items.length > 0) await invalidate(live, items);
}
