import { sql, type Transaction } from 'kysely';
import type { DatabaseSchema } from '../schema/database-schema.ts';

type Trx = Transaction<DatabaseSchema>;

/** How a running attempt ended: the state its try is recorded with. */
export interface TryEnding {
  readonly state: 'success' | 'skipped' | 'up_for_retry' | 'failed';
  readonly now: number;
  /** For `up_for_retry`: when the next try is due. */
  readonly nextRetryAt?: number | null;
}

/**
 * Copies the current try of each of these TIs that is still `running` into `task_instance_try`,
 * ended now in `ending.state`: its queued/start times, worker and max tries as the TI row has them.
 * Called by the transitions that end an attempt, in their transaction and before they overwrite
 * the row, so a try's times outlive the next try (the TI row keeps only the current one's). A TI
 * that is not running has no live attempt and records nothing; a try already recorded is kept.
 */
export async function recordEndedTries(trx: Trx, tiIds: readonly string[], ending: TryEnding): Promise<void> {
  if (tiIds.length === 0) return;
  await trx
    .insertInto('task_instance_try')
    .columns([
      'ti_id',
      'try_number',
      'state',
      'max_tries',
      'queued_at',
      'start_date',
      'end_date',
      'next_retry_at',
      'worker',
    ])
    .expression((eb) =>
      eb
        .selectFrom('task_instance')
        .select([
          'id',
          'try_number',
          sql<string>`cast(${ending.state} as text)`.as('state'),
          'max_tries',
          'queued_at',
          'start_date',
          sql<number>`cast(${ending.now} as bigint)`.as('end_date'),
          sql<number | null>`cast(${ending.nextRetryAt ?? null} as bigint)`.as('next_retry_at'),
          'worker',
        ])
        .where('id', 'in', [...tiIds])
        .where('state', '=', 'running')
        .where('try_number', '>', 0),
    )
    .onConflict((conflict) => conflict.columns(['ti_id', 'try_number']).doNothing())
    .execute();
}
