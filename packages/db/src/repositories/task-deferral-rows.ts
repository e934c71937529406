import type { JsonValue } from '@tidemark/core';
import type { Transaction } from 'kysely';
import type { DatabaseSchema } from '../schema/database-schema.ts';

/**
 * Writes of `task_deferral` rows that happen inside other transactions: the claim of a resumed try
 * consumes its fired wait, and an operator's clear or mark cancels a TI's wait (SPEC §16).
 */

type Trx = Transaction<DatabaseSchema>;

/**
 * For a claim: takes the fired wait of the queued TI's current try, if there is one (the try
 * resumes with its event). Any other deferral row of the TI is stale and goes too.
 */
export async function takeFiredDeferral(
  trx: Trx,
  ti: { readonly id: string; readonly try_number: number },
): Promise<{ readonly event: JsonValue } | undefined> {
  const row = await trx
    .selectFrom('task_deferral')
    .select(['id', 'status', 'try_number', 'event'])
    .where('ti_id', '=', ti.id)
    .executeTakeFirst();
  if (!row) return undefined;
  await trx.deleteFrom('task_deferral').where('id', '=', row.id).execute();
  if (row.status !== 'fired' || row.try_number !== ti.try_number || row.event === null) return undefined;
  return { event: JSON.parse(row.event) as JsonValue };
}

/**
 * The set-based form of takeFiredDeferral for a batch claim: every deferral row of these TIs goes
 * (two statements), and the events of the fired waits of their current tries are returned by TI id.
 */
export async function takeFiredDeferrals(
  trx: Trx,
  tis: readonly { readonly id: string; readonly try_number: number }[],
): Promise<Map<string, JsonValue>> {
  const fired = new Map<string, JsonValue>();
  if (tis.length === 0) return fired;
  const rows = await trx
    .selectFrom('task_deferral')
    .select(['id', 'ti_id', 'status', 'try_number', 'event'])
    .where(
      'ti_id',
      'in',
      tis.map((ti) => ti.id),
    )
    .execute();
  if (rows.length === 0) return fired;
  await trx
    .deleteFrom('task_deferral')
    .where(
      'id',
      'in',
      rows.map((row) => row.id),
    )
    .execute();
  const tryOf = new Map(tis.map((ti) => [ti.id, ti.try_number]));
  for (const row of rows) {
    if (row.status !== 'fired' || row.try_number !== tryOf.get(row.ti_id) || row.event === null) continue;
    fired.set(row.ti_id, JSON.parse(row.event) as JsonValue);
  }
  return fired;
}

/** An operator cleared or marked these TIs: their waits are cancelled (in the caller's transaction). */
export async function cancelDeferrals(trx: Trx, tiIds: readonly string[]): Promise<void> {
  if (tiIds.length === 0) return;
  await trx
    .deleteFrom('task_deferral')
    .where('ti_id', 'in', [...tiIds])
    .execute();
}
