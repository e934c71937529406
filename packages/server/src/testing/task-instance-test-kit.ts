import type { ConfigInput, UserRole } from '@tidemark/core';
import {
  type DialectName,
  expandMappedTask,
  MetastoreStateBackend,
  stateValueCipher,
  triggerDagRun,
} from '@tidemark/db';
import type { LightMyRequestResponse } from 'fastify';
import { UserAuth } from '../public/user-auth.ts';
import {
  detailOf,
  type ExecutionHarness,
  ORDERS_DAG,
  openExecutionHarness,
  SESSION_KEY,
  T0,
} from './execution-harness.ts';

/**
 * For the tests of the task-instance, log and XCom routes only: the real api-server on a real
 * database (the execution harness: DAG `orders` = extract → transform (mapped over extract,
 * retries 3) → load (outlet `orders`)), user tokens, and seeding helpers.
 */

export interface TaskInstanceHarness extends ExecutionHarness {
  /** A user token of that role (user "alice"). */
  token(role: UserRole): string;
  /** The state backend the app uses (same database, same limits): to write and read task state. */
  readonly stateBackend: MetastoreStateBackend;
  api(
    method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
    url: string,
    options?: { token?: string | null; role?: UserRole; payload?: unknown; headers?: Record<string, string> },
  ): Promise<LightMyRequestResponse>;
}

export const RUNS_URL = '/api/v2/dags/orders/dagRuns';

export async function openTaskInstanceHarness(
  dialect: DialectName,
  settings: ConfigInput = {},
): Promise<TaskInstanceHarness> {
  const harness = await openExecutionHarness(dialect, settings);
  const auth = new UserAuth(SESSION_KEY, harness.clock.now);
  const token = (role: UserRole) => auth.issue('alice', role, 3_600_000).token;
  const stateBackend = new MetastoreStateBackend(
    harness.database,
    {
      maxValueBytes: harness.config.state.max_value_bytes,
      historyDepth: harness.config.state.history_depth,
      clock: harness.clock.now,
    },
    stateValueCipher(harness.config),
  );
  return Object.assign(harness, {
    token,
    stateBackend,
    api(
      method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
      url: string,
      options: { token?: string | null; role?: UserRole; payload?: unknown; headers?: Record<string, string> } = {},
    ) {
      const bearer = options.token === undefined ? token(options.role ?? 'viewer') : options.token;
      return harness.app.inject({
        method,
        url,
        headers: { ...options.headers, ...(bearer === null ? {} : { authorization: `Bearer ${bearer}` }) },
        ...(options.payload === undefined ? {} : { payload: options.payload as object }),
      });
    },
  });
}

export interface OrdersRun {
  readonly dagRunId: number;
  readonly runId: string;
}

/**
 * A run of `orders` as the scheduler leaves it after `extract` succeeded: its TIs are created by
 * `triggerDagRun`, `transform` is expanded to `mapped` map indices (none: left as the placeholder).
 */
export async function seedOrdersRun(
  harness: ExecutionHarness,
  options: { runId?: string; mapped?: number; at?: number } = {},
): Promise<OrdersRun> {
  const at = options.at ?? T0;
  const run = await triggerDagRun(harness.database, { dagId: 'orders', runId: options.runId ?? 'manual__1' }, at);
  const mapped = options.mapped ?? 3;
  if (mapped > 0) {
    const placeholder = await tiRow(harness, run.runId, 'transform', -1);
    const transform = ORDERS_DAG.tasks.find((task) => task.taskId === 'transform');
    if (!transform) throw new Error('ORDERS_DAG has no task "transform"');
    await expandMappedTask(harness.database.db, run, placeholder.id, transform, mapped, at);
  }
  return { dagRunId: run.dagRunId, runId: run.runId };
}

export interface TiAddress {
  readonly runId?: string;
  readonly taskId: string;
  readonly mapIndex?: number;
}

export interface TiFields {
  readonly state?: string | null;
  readonly try_number?: number;
  readonly max_tries?: number;
  readonly queued_at?: number | null;
  readonly start_date?: number | null;
  readonly end_date?: number | null;
  readonly heartbeat_at?: number | null;
  readonly next_retry_at?: number | null;
  readonly worker?: string | null;
}

/** Puts a TI where a test needs it, as the scheduler and workers would have. */
export async function updateTi(harness: ExecutionHarness, address: TiAddress, fields: TiFields): Promise<void> {
  const result = await harness.database.db
    .updateTable('task_instance')
    .set(fields)
    .where('run_id', '=', address.runId ?? 'manual__1')
    .where('task_id', '=', address.taskId)
    .where('map_index', '=', address.mapIndex ?? -1)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) throw new Error(`no TI ${JSON.stringify(address)}`);
}

/** A finished try: `state` at `try_number`, with its dates, as the finish route leaves it. */
export function finished(state: string, tryNumber = 1, startedAt = T0 + 1_000, endedAt = T0 + 4_500): TiFields {
  return {
    state,
    try_number: tryNumber,
    queued_at: startedAt - 500,
    start_date: startedAt,
    end_date: endedAt,
    heartbeat_at: endedAt,
    worker: 'host-a:41',
  };
}

export async function tiRow(harness: ExecutionHarness, runId: string, taskId: string, mapIndex = -1) {
  return harness.database.db
    .selectFrom('task_instance')
    .selectAll()
    .where('run_id', '=', runId)
    .where('task_id', '=', taskId)
    .where('map_index', '=', mapIndex)
    .executeTakeFirstOrThrow();
}

export async function runRow(harness: ExecutionHarness, runId = 'manual__1') {
  return harness.database.db.selectFrom('dag_run').selectAll().where('run_id', '=', runId).executeTakeFirstOrThrow();
}

export { detailOf };
