'use client';

import { useQuery } from '@tanstack/react-query';
import type { AuditAction } from '@/lib/schemas/access';
import { auditQuery } from '../../_lib/account';
import styles from './account.module.css';

const LABEL: Record<AuditAction, string> = {
  'debate.create': 'started the debate',
  'debate.visibility': 'changed who can see it',
  'debate.lock': 'locked the debate',
  'debate.unlock': 'unlocked the debate',
  'debate.transfer': 'transferred the debate',
  'debate.delete': 'deleted the debate',
  'claim.hide': 'hid a claim',
  'claim.restore': 'restored a claim',
  'member.add': 'joined',
  'member.role': 'changed a role',
  'member.remove': 'removed a member',
  'member.leave': 'left',
  'invite.create': 'made an invite link',
  'invite.revoke': 'revoked an invite link',
  'debate.phase': 'moved the debate to another phase',
  'team.create': 'created the team',
  'team.rename': 'renamed the team',
  'team.delete': 'deleted the team',
};

const describe = (detail: unknown): string => {
  if (!detail || typeof detail !== 'object') return '';
  const d = detail as Record<string, unknown>;
  if (typeof d.from === 'string' && typeof d.to === 'string') return `${d.from} → ${d.to}`;
  if (typeof d.role === 'string') return d.role;
  if (d.to && typeof d.to === 'object') return JSON.stringify(d.to);
  return '';
};

/** Who did what, when: membership, roles, visibility, locks and hidden claims (moderators). */
export function AuditLog({ debateId }: { debateId: string }) {
  const log = useQuery(auditQuery(debateId));
  if (log.isPending) return <p>Loading…</p>;
  if (log.isError) return <p className={styles.error}>{log.error.message}</p>;
  if (log.data.items.length === 0) return <p className={styles.muted}>Nothing recorded yet.</p>;
  return (
    <table className={styles.table} data-testid="audit-log">
      <thead>
        <tr>
          <th>When</th>
          <th>Who</th>
          <th>What</th>
          <th>Detail</th>
        </tr>
      </thead>
      <tbody>
        {log.data.items.map((e) => (
          <tr key={e.id}>
            <td>{new Date(e.createdAt).toLocaleString()}</td>
            <td>{e.actorName}</td>
            <td>{LABEL[e.action as AuditAction] ?? e.action}</td>
            <td>{[e.targetName ?? e.target, describe(e.detail)].filter(Boolean).join(' · ')}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
