import type { Actor } from '../services/sources';
import type { ApiRequest } from '../http/request';
import { requireDebateAction, type Allowed } from './guard';

/**
 * Authorship for evidence, sources and ratings: the key stored in `addedBy` and `userKey`. An
 * account's id when signed in (stable across renames), else the actor's name.
 */
export const userKeyOf = (who: Allowed): string => who.principal.userId ?? who.actorName;

export const actorOf = (who: Allowed): Actor => ({ key: userKeyOf(who), name: who.actorName });

/**
 * The check before editing or removing something someone added: its author or a moderator
 * ('evidence.edit' with isAuthor). The debate is checked for read access first, so a missing
 * debate is a 404 before anything is looked up; `addedByOf` then loads the item (404 when it is
 * not in this debate) and names its author.
 */
export async function requireAuthorOrModerator(req: ApiRequest, debateId: string, addedByOf: () => Promise<string>): Promise<Allowed> {
  const reader = await requireDebateAction(req, debateId, 'debate.read');
  const addedBy = await addedByOf();
  return requireDebateAction(req, debateId, 'evidence.edit', { isAuthor: addedBy === userKeyOf(reader) });
}
