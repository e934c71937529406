import type { Db } from '../open-database.ts';
import type { OffsetPage } from './task-instance-queries.ts';

/** Read-only queries behind the public API's XCom routes (the execution API's are in `xcom-repository.ts`). */

export interface XcomEntryRow {
  readonly key: string;
  /** Epoch ms when the value was stored. */
  readonly created_at: number;
  readonly map_index: number;
  readonly task_id: string;
  readonly dag_id: string;
  readonly run_id: string;
}

export interface XcomEntryWithValueRow extends XcomEntryRow {
  /** JSON text. */
  readonly value: string;
}

export interface XcomEntryPage {
  /** Ordered by map index, then key. */
  readonly rows: XcomEntryRow[];
  readonly total: number;
}

const ENTRY_COLUMNS = ['key', 'created_at', 'map_index', 'task_id', 'dag_id', 'run_id'] as const;

/** One page of a task's XComs in a run: at one map index, or at all of them when `mapIndex` is omitted. */
export async function listXcomEntryPage(
  db: Db,
  filter: { readonly dagRunId: number; readonly taskId: string; readonly mapIndex?: number },
  page: OffsetPage,
): Promise<XcomEntryPage> {
  let base = db.selectFrom('xcom').where('dag_run_id', '=', filter.dagRunId).where('task_id', '=', filter.taskId);
  if (filter.mapIndex !== undefined) base = base.where('map_index', '=', filter.mapIndex);
  const [rows, count] = await Promise.all([
    base.select(ENTRY_COLUMNS).orderBy('map_index').orderBy('key').limit(page.limit).offset(page.offset).execute(),
    base.select((eb) => eb.fn.countAll<number | string | bigint>().as('total')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.total) };
}

/** One XCom with its value (JSON text), or undefined. */
export async function findXcomEntry(
  db: Db,
  address: { readonly dagRunId: number; readonly taskId: string; readonly mapIndex: number; readonly key: string },
): Promise<XcomEntryWithValueRow | undefined> {
  return db
    .selectFrom('xcom')
    .select([...ENTRY_COLUMNS, 'value'])
    .where('dag_run_id', '=', address.dagRunId)
    .where('task_id', '=', address.taskId)
    .where('map_index', '=', address.mapIndex)
    .where('key', '=', address.key)
    .executeTakeFirst();
}
