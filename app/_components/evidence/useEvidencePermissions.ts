'use client';

import { useCallback } from 'react';
import { useDebateAccess } from '@/app/_lib/access';

export interface EvidencePermissions {
  /** Add sources and evidence. */
  canAdd: boolean;
  canRate: boolean;
  /** Edit or remove something that `addedBy` (a user id, or a name for old entries) added: its author or a moderator. */
  canEdit: (addedBy: string) => boolean;
}

/**
 * What the evidence panels offer, decided by lib/permissions as the server decides it (the
 * server still checks every request): no Edit or Remove on someone else's quote for a
 * participant, no forms for viewers or in a locked or closed debate.
 */
export function useEvidencePermissions(debateId: string): EvidencePermissions {
  const { allows, access } = useDebateAccess(debateId);
  const me = access?.principal.userId ?? null;
  const canEdit = useCallback((addedBy: string) => allows('evidence.edit', { isAuthor: me !== null && addedBy === me }), [allows, me]);
  return { canAdd: allows('evidence.add'), canRate: allows('source.rate'), canEdit };
}
