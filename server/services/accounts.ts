import type { Database } from '../db/client';

const RANK_SQL = (col: string) => `array_position(ARRAY['viewer','participant','moderator','owner'], ${col})`;

/**
 * A guest signed into an existing account: the account takes over the guest's memberships,
 * keeping the higher role where both have one. The guest row itself stays, so what it wrote
 * keeps its author.
 */
export async function mergeGuestInto(db: Database, guestId: string, userId: string): Promise<void> {
  await db.sql.transaction(async (tx) => {
    for (const [table, key] of [
      ['DebateMember', 'debateId'],
      ['TeamMember', 'teamId'],
    ] as const) {
      await tx.query(
        `INSERT INTO "${table}" ("${key}", "userId", "role")
           SELECT "${key}", $2, "role" FROM "${table}" WHERE "userId" = $1
         ON CONFLICT ("${key}", "userId") DO UPDATE
           SET "role" = CASE WHEN ${RANK_SQL('EXCLUDED."role"')} > ${RANK_SQL(`"${table}"."role"`)} THEN EXCLUDED."role" ELSE "${table}"."role" END,
               "updatedAt" = CURRENT_TIMESTAMP`,
        [guestId, userId],
      );
      await tx.query(`DELETE FROM "${table}" WHERE "userId" = $1`, [guestId]);
    }
  });
}
