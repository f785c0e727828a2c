import type { AuditAction, AuditEntryInfo } from '../../lib/schemas/access';
import type { PrismaClient } from '../db/client';
import type { Prisma } from '../db/generated/client';

type Db = PrismaClient | Prisma.TransactionClient;

export interface Actor {
  id: string | null;
  name: string;
}

export interface AuditInput {
  debateId?: string;
  teamId?: string;
  action: AuditAction;
  /** The user or claim acted on. */
  target?: string | null;
  detail?: Prisma.InputJsonValue;
}

/** Records one change; call it inside the transaction that makes the change, so neither exists without the other. */
export async function audit(db: Db, actor: Actor, entry: AuditInput): Promise<void> {
  await db.auditEntry.create({
    data: {
      debateId: entry.debateId ?? null,
      teamId: entry.teamId ?? null,
      actorId: actor.id,
      actorName: actor.name,
      action: entry.action,
      target: entry.target ?? null,
      ...(entry.detail !== undefined ? { detail: entry.detail } : {}),
    },
  });
}

/** Newest first; `before` pages backwards by id. */
export async function listAudit(
  prisma: PrismaClient,
  where: { debateId: string } | { teamId: string },
  opts: { before?: number; limit: number },
): Promise<{ items: AuditEntryInfo[]; nextBefore: number | null }> {
  const rows = await prisma.auditEntry.findMany({
    where: { ...where, ...(opts.before ? { id: { lt: BigInt(opts.before) } } : {}) },
    orderBy: { id: 'desc' },
    take: opts.limit + 1,
  });
  const page = rows.slice(0, opts.limit);
  // Targets of membership entries are user ids: name them for the reader.
  const targets = [...new Set(page.filter((r) => r.action.startsWith('member.') && r.target).map((r) => r.target!))];
  const users = targets.length > 0 ? await prisma.user.findMany({ where: { id: { in: targets } }, select: { id: true, name: true } }) : [];
  const names = new Map(users.map((u) => [u.id, u.name]));
  const items = page.map((r) => ({
    id: Number(r.id),
    actorId: r.actorId,
    actorName: r.actorName,
    action: r.action,
    target: r.target,
    targetName: r.target ? (names.get(r.target) ?? null) : null,
    detail: r.detail,
    createdAt: r.createdAt.toISOString(),
  }));
  return { items, nextBefore: rows.length > opts.limit ? (items[items.length - 1]?.id ?? null) : null };
}
