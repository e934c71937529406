import type { Selectable } from 'kysely';
import type { Db } from '../open-database.ts';
import type { TaskDeferralTable } from '../schema/database-schema.ts';

/** Read-only queries behind the public API's view of deferred task instances (SPEC §16). */

export type DeferralRow = Selectable<TaskDeferralTable>;

/** The deferral of each TI that has one (waiting, or fired and not yet resumed), by TI id. */
export async function findDeferralsOf(db: Db, tiIds: readonly string[]): Promise<Map<string, DeferralRow>> {
  if (tiIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('task_deferral')
    .selectAll()
    .where('ti_id', 'in', [...tiIds])
    .execute();
  return new Map(rows.map((row) => [row.ti_id, row]));
}
