'use client';

import type { Role } from '@/lib/permissions';
import type { MemberInfo } from '@/lib/schemas/access';
import styles from './account.module.css';

/**
 * Members with their roles. Each row offers only the changes `canAssign` allows the viewer (the
 * same rule the server applies); everything else is plain text.
 */
export function MemberList({
  members,
  me,
  roles,
  canAssign,
  onRole,
  onRemove,
  busy,
}: {
  members: MemberInfo[];
  me: string | null;
  roles: readonly Role[];
  canAssign: (current: Role, next: Role | null) => boolean;
  onRole: (userId: string, role: Role) => void;
  onRemove: (userId: string) => void;
  busy?: boolean;
}) {
  return (
    <ul className={styles.list} data-testid="member-list">
      {members.map((m) => {
        const choices = roles.filter((r) => r === m.role || canAssign(m.role, r));
        const editable = m.userId !== me && choices.length > 1;
        return (
          <li key={m.userId} className={styles.item} data-testid="member" data-name={m.name}>
            <span className={styles.grow}>
              {m.name}
              {m.isGuest && <span className={styles.badge}>guest</span>}
              {m.userId === me && <span className={styles.badge}>you</span>}
            </span>
            {editable ? (
              <select
                className={styles.select}
                aria-label={`Role of ${m.name}`}
                value={m.role}
                disabled={busy}
                onChange={(e) => onRole(m.userId, e.target.value as Role)}
                data-testid="member-role"
              >
                {choices.map((r) => (
                  <option key={r} value={r}>
                    {r}
                  </option>
                ))}
              </select>
            ) : (
              <span className={styles.muted}>{m.role}</span>
            )}
            {m.userId === me
              ? m.role !== 'owner' && (
                  <button type="button" onClick={() => onRemove(m.userId)} disabled={busy}>
                    Leave
                  </button>
                )
              : canAssign(m.role, null) && (
                  <button type="button" onClick={() => onRemove(m.userId)} disabled={busy} aria-label={`Remove ${m.name}`}>
                    Remove
                  </button>
                )}
          </li>
        );
      })}
    </ul>
  );
}
