import type { DagRunState, DagRunType } from '@tidemark/core';
import { type Selectable, sql } from 'kysely';
import type { Db } from '../open-database.ts';
import type { DagRunTable } from '../schema/database-schema.ts';
import type { Page, PageOf, SortOrder } from './dag-queries.ts';

/** Read models of DAG runs for the public API: filtered, ordered, paginated, with TI state counts. */

export interface DagRunRecord {
  /** Surrogate id. */
  readonly id: number;
  readonly dagId: string;
  readonly runId: string;
  readonly state: DagRunState;
  readonly runType: DagRunType;
  readonly logicalDate: number | null;
  readonly dataIntervalStart: number | null;
  readonly dataIntervalEnd: number | null;
  readonly conf: Record<string, unknown>;
  readonly queuedAt: number | null;
  readonly startDate: number | null;
  readonly endDate: number | null;
}

export type DagRunSortColumn =
  | 'id'
  | 'dag_id'
  | 'run_id'
  | 'state'
  | 'run_type'
  | 'logical_date'
  | 'queued_at'
  | 'start_date'
  | 'end_date';

export interface DagRunListFilter extends Page {
  /** Undefined: the runs of every DAG. */
  readonly dagId?: string;
  readonly states?: readonly DagRunState[];
  readonly runTypes?: readonly DagRunType[];
  readonly logicalDateGte?: number;
  readonly logicalDateLte?: number;
  readonly startDateGte?: number;
  readonly startDateLte?: number;
  /** Default: newest first (`id` descending). Ties by id in the same direction; nulls last. */
  readonly order?: SortOrder<DagRunSortColumn>;
}

export async function listDagRuns(db: Db, filter: DagRunListFilter): Promise<PageOf<DagRunRecord>> {
  let query = db.selectFrom('dag_run');
  if (filter.dagId !== undefined) query = query.where('dag_id', '=', filter.dagId);
  if (filter.states?.length) query = query.where('state', 'in', [...filter.states]);
  if (filter.runTypes?.length) query = query.where('run_type', 'in', [...filter.runTypes]);
  if (filter.logicalDateGte !== undefined) query = query.where('logical_date', '>=', filter.logicalDateGte);
  if (filter.logicalDateLte !== undefined) query = query.where('logical_date', '<=', filter.logicalDateLte);
  if (filter.startDateGte !== undefined) query = query.where('start_date', '>=', filter.startDateGte);
  if (filter.startDateLte !== undefined) query = query.where('start_date', '<=', filter.startDateLte);

  const counted = await query.select((eb) => eb.fn.countAll().as('count')).executeTakeFirstOrThrow();
  const order = filter.order ?? { column: 'id', descending: true };
  const direction = order.descending ? 'desc' : 'asc';
  const rows = await query
    .selectAll()
    .orderBy(sql`${sql.ref(`dag_run.${order.column}`)} is null`)
    .orderBy(`dag_run.${order.column}`, direction)
    .orderBy('dag_run.id', direction)
    .limit(filter.limit)
    .offset(filter.offset)
    .execute();
  return { items: rows.map(toDagRunRecord), totalEntries: Number(counted.count) };
}

export async function findDagRun(db: Db, dagId: string, runId: string): Promise<DagRunRecord | undefined> {
  const row = await db
    .selectFrom('dag_run')
    .selectAll()
    .where('dag_id', '=', dagId)
    .where('run_id', '=', runId)
    .executeTakeFirst();
  return row ? toDagRunRecord(row) : undefined;
}

/** The most recently created run of each DAG that has one. */
export async function findLatestDagRuns(db: Db, dagIds: readonly string[]): Promise<Map<string, DagRunRecord>> {
  if (dagIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('dag_run')
    .selectAll()
    .where('id', 'in', (eb) =>
      eb
        .selectFrom('dag_run')
        .select((inner) => inner.fn.max('id').as('id'))
        .where('dag_id', 'in', [...dagIds])
        .groupBy('dag_id'),
    )
    .execute();
  return new Map(rows.map((row) => [row.dag_id, toDagRunRecord(row)]));
}

/** Per run: how many of its TIs are in each state (`none` for TIs without one). Runs without TIs are absent. */
export async function countTaskInstanceStates(
  db: Db,
  dagRunIds: readonly number[],
): Promise<Map<number, Record<string, number>>> {
  const counts = new Map<number, Record<string, number>>();
  if (dagRunIds.length === 0) return counts;
  const rows = await db
    .selectFrom('task_instance')
    .select((eb) => ['dag_run_id', 'state', eb.fn.countAll().as('count')])
    .where('dag_run_id', 'in', [...dagRunIds])
    .groupBy(['dag_run_id', 'state'])
    .execute();
  for (const row of rows) {
    const dagRunId = Number(row.dag_run_id);
    const perState = counts.get(dagRunId) ?? {};
    perState[row.state ?? 'none'] = Number(row.count);
    counts.set(dagRunId, perState);
  }
  return counts;
}

function toDagRunRecord(row: Selectable<DagRunTable>): DagRunRecord {
  return {
    id: Number(row.id),
    dagId: row.dag_id,
    runId: row.run_id,
    state: row.state as DagRunState,
    runType: row.run_type as DagRunType,
    logicalDate: row.logical_date,
    dataIntervalStart: row.data_interval_start,
    dataIntervalEnd: row.data_interval_end,
    conf: JSON.parse(row.conf) as Record<string, unknown>,
    queuedAt: row.queued_at,
    startDate: row.start_date,
    endDate: row.end_date,
  };
}
