import type { Action, ActionContext, Principal } from '../../lib/permissions';
import { ApiError } from '../http/errors';
import { getRuntime } from '../runtime';

export interface Allowed {
  principal: Principal;
  /** A stable name for "added by" fields and audit entries. */
  actorName: string;
}

/**
 * The one check every route handler makes before acting on a debate. Until accounts land
 * ([access]) everyone is an anonymous participant of every existing debate; [access] replaces
 * the body with session lookup + lib/permissions.can, keeping this signature.
 */
export async function requireDebateAction(_req: Request, debateId: string, _action: Action, _ctx: ActionContext = {}): Promise<Allowed> {
  const exists = await getRuntime().db.prisma.debate.count({ where: { id: debateId } });
  if (!exists) throw new ApiError('not_found', `debate ${debateId} not found`);
  return { principal: { userId: null, isGuest: false }, actorName: 'anonymous' };
}
