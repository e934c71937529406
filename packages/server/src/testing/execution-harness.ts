import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type ClaimedAttempt,
  type ConfigInput,
  claimedAttemptSchema,
  configSchema,
  type SerializedDag,
  type StateBackend,
  type TidemarkConfig,
} from '@tidemark/core';
import { createDagRun, type DialectName, type MetadataDatabase } from '@tidemark/db';
import {
  ManualClock,
  openTestDatabaseFor,
  seedDag,
  seedTaskInstance,
  serializedTask,
  type TestDatabase,
} from '@tidemark/db/testing';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { buildApiServer } from '../app.ts';
import { issueWorkerToken } from '../execution/attempt-token.ts';

export { serializedTask };

/**
 * A real api-server app on a real test database (SQLite file or PostgreSQL schema), a temp logs
 * folder and a manual clock, with helpers to seed a DAG, runs and task instances the way the
 * scheduler leaves them. For the server's tests only.
 */

export const SECRET_KEY = 'test-secret-key-test-secret-key-0123456789';
/** Signs user tokens in tests; distinct from SECRET_KEY as in production. */
export const SESSION_KEY = 'test-session-key-test-session-key-0123456789';
export const T0 = Date.UTC(2026, 0, 1);

/** extract → transform (mapped over extract's list, backoff) → load (outlet `orders`). */
export const ORDERS_DAG: SerializedDag = {
  dagId: 'orders',
  fileloc: 'sales/orders-dag.ts',
  schedule: '@daily',
  startDate: Date.UTC(2025, 11, 1),
  catchup: false,
  description: 'Loads the day’s orders into the warehouse',
  tags: ['sales'],
  tasks: [
    serializedTask('extract', { retries: 2, retryDelayMs: 5_000, executionTimeoutMs: 60_000 }),
    serializedTask('transform', {
      upstreamTaskIds: ['extract'],
      mapOver: 'extract',
      retries: 3,
      retryDelayMs: 1_000,
      retryExponentialBackoff: true,
      maxRetryDelayMs: 3_000,
    }),
    serializedTask('load', {
      upstreamTaskIds: ['transform'],
      outlets: [{ name: 'orders', uri: 's3://warehouse/orders' }],
    }),
  ],
};

export interface SeededRun {
  readonly dagRunId: number;
  readonly runId: string;
}

export interface SeedTi {
  readonly taskId: string;
  readonly mapIndex?: number;
  readonly state?: string | null;
  readonly tryNumber?: number;
  readonly maxTries?: number;
  readonly queuedAt?: number;
}

export interface ExecutionHarness {
  readonly app: FastifyInstance;
  readonly database: MetadataDatabase;
  readonly config: TidemarkConfig;
  readonly clock: ManualClock;
  readonly logsFolder: string;
  readonly workerToken: string;
  seedRun(runId?: string, conf?: Record<string, unknown>): Promise<SeededRun>;
  seedTi(run: SeededRun, ti: SeedTi): Promise<string>;
  /** POST claim with the worker token; expects 200 and returns the contract-checked body. */
  claim(worker?: string): Promise<ClaimedAttempt>;
  request(options: InjectOptions & { token?: string }): Promise<LightMyRequestResponse>;
  /** Resolves when a claim with `wait_ms` next starts waiting for work (call it before the claim). */
  nextClaimWaiting(): Promise<void>;
  close(): Promise<void>;
}

export interface ExecutionHarnessOptions {
  /** A state backend other than the default metastore one, built on the test database. */
  readonly stateBackend?: (database: MetadataDatabase) => StateBackend;
}

export async function openExecutionHarness(
  dialect: DialectName,
  settings: ConfigInput = {},
  options: ExecutionHarnessOptions = {},
): Promise<ExecutionHarness> {
  const test: TestDatabase = await openTestDatabaseFor(dialect);
  const database = test.database;
  const clock = new ManualClock(T0);
  const logsFolder = mkdtempSync(join(tmpdir(), 'tidemark-logs-'));
  const config: TidemarkConfig = {
    ...configSchema.parse(settings),
    home: logsFolder,
    database: { url: test.url },
  };
  const claimWaiters: (() => void)[] = [];
  const app = await buildApiServer({
    config,
    database,
    secretKey: SECRET_KEY,
    sessionKey: SESSION_KEY,
    logsFolder,
    clock: clock.now,
    onClaimWaiting: () => {
      for (const resolve of claimWaiters.splice(0)) resolve();
    },
    ...(options.stateBackend ? { stateBackend: options.stateBackend(database) } : {}),
  });
  await seedDag(database.db, ORDERS_DAG, T0);
  const workerToken = issueWorkerToken(SECRET_KEY, 3_600_000, T0);

  const harness: ExecutionHarness = {
    app,
    database,
    config,
    clock,
    logsFolder,
    workerToken,
    nextClaimWaiting() {
      return new Promise((resolve) => claimWaiters.push(resolve));
    },
    async seedRun(runId = 'manual__1', conf = {}) {
      const dagRunId = await createDagRun(database.db, { dagId: 'orders', runId, conf, logicalDate: T0 }, T0);
      return { dagRunId, runId };
    },
    seedTi(run, ti) {
      return seedTaskInstance(database.db, { ...run, dagId: ORDERS_DAG.dagId }, { ...ti, now: T0 });
    },
    async claim(worker = 'host:1') {
      const response = await harness.request({
        method: 'POST',
        url: '/execution/workloads/claim',
        token: workerToken,
        payload: { worker },
      });
      if (response.statusCode !== 200) throw new Error(`claim answered ${response.statusCode}: ${response.body}`);
      return claimedAttemptSchema.parse(response.json());
    },
    request({ token, headers, ...options }) {
      return app.inject({
        ...options,
        headers: { ...headers, ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) },
      });
    },
    async close() {
      await app.close();
      await test.destroy();
      rmSync(logsFolder, { recursive: true, force: true });
    },
  };
  return harness;
}

/** Queues the TI again, as the scheduler does when its retry is due. */
export async function requeue(database: MetadataDatabase, tiId: string): Promise<void> {
  await database.db.updateTable('task_instance').set({ state: 'queued' }).where('id', '=', tiId).execute();
}

export async function taskInstanceRow(database: MetadataDatabase, tiId: string) {
  return database.db.selectFrom('task_instance').selectAll().where('id', '=', tiId).executeTakeFirstOrThrow();
}

export async function putXcom(
  database: MetadataDatabase,
  run: SeededRun,
  xcom: { taskId: string; mapIndex?: number; key?: string; value: unknown },
): Promise<void> {
  await database.db
    .insertInto('xcom')
    .values({
      dag_run_id: run.dagRunId,
      dag_id: 'orders',
      run_id: run.runId,
      task_id: xcom.taskId,
      map_index: xcom.mapIndex ?? -1,
      key: xcom.key ?? 'return_value',
      value: JSON.stringify(xcom.value),
      created_at: T0,
    })
    .execute();
}

/** `{detail}` of an error response. */
export function detailOf(response: LightMyRequestResponse): { reason: string; message: string } {
  return (response.json() as { detail: { reason: string; message: string } }).detail;
}

export { detailOf as errorOf };
