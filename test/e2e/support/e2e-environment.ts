import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DagRunState, TaskInstanceState } from '@tidemark/core';
import { type DialectName, readSerializedDag } from '@tidemark/db';
import { createTestDatabase, freePort, openTestDatabaseFor, type TestDatabase, waitUntil } from '@tidemark/db/testing';

export const E2E_DAGS = join(import.meta.dirname, '..', 'dags');

export interface TaskInstanceRow {
  readonly id: string;
  readonly task_id: string;
  readonly map_index: number;
  readonly state: TaskInstanceState | null;
  readonly try_number: number;
}

/** One end-to-end test's world: its own database, home folder and port, and ways to look inside. */
export class E2eEnvironment {
  /** Its test database is created migrated (a cluster need not run `tidemark db migrate`). */
  readonly databaseMigrated = true;

  private constructor(
    readonly test: TestDatabase,
    readonly home: string,
    readonly port: number,
    readonly env: Record<string, string>,
  ) {}

  /** `postgresServerUrl`: a PostgreSQL server of the test's own (one it may stop), instead of the run's. */
  static async create(
    dialect: DialectName,
    settings: Record<string, string> = {},
    options: { postgresServerUrl?: string } = {},
  ): Promise<E2eEnvironment> {
    const test = options.postgresServerUrl
      ? await createTestDatabase(dialect, { postgresUrl: options.postgresServerUrl })
      : await openTestDatabaseFor(dialect);
    const home = mkdtempSync(join(tmpdir(), 'tidemark-e2e-'));
    const port = await freePort();
    const env = {
      TIDEMARK_HOME: home,
      TIDEMARK_DATABASE__URL: test.url,
      TIDEMARK_CORE__DAGS_FOLDER: E2E_DAGS,
      TIDEMARK_API__PORT: String(port),
      TIDEMARK_SCHEDULER__TASK_HEARTBEAT_TIMEOUT: '2s',
      TIDEMARK_SCHEDULER__DAG_SCAN_INTERVAL: '1s',
      TIDEMARK_SCHEDULER__LOOP_INTERVAL: '100ms',
      TIDEMARK_WORKER__POLL_INTERVAL: '50ms',
      TIDEMARK_WORKER__KILL_GRACE_PERIOD: '1s',
      ...settings,
    };
    return new E2eEnvironment(test, home, port, env);
  }

  get database() {
    return this.test.database;
  }

  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  waitForDag(dagId: string, timeoutMs = 60_000) {
    return waitUntil(() => readSerializedDag(this.database.db, dagId), `DAG ${dagId} to be parsed`, timeoutMs);
  }

  async runState(dagId: string, runId: string): Promise<DagRunState | undefined> {
    const row = await this.database.db
      .selectFrom('dag_run')
      .select('state')
      .where('dag_id', '=', dagId)
      .where('run_id', '=', runId)
      .executeTakeFirst();
    return row?.state as DagRunState | undefined;
  }

  waitForRunFinished(dagId: string, runId: string, timeoutMs = 60_000): Promise<DagRunState> {
    return waitUntil(
      async () => {
        const state = await this.runState(dagId, runId);
        return state === 'success' || state === 'failed' ? state : undefined;
      },
      `run ${dagId}/${runId} to finish`,
      timeoutMs,
    );
  }

  async taskInstances(dagId: string, runId: string): Promise<TaskInstanceRow[]> {
    const rows = await this.database.db
      .selectFrom('task_instance')
      .select(['id', 'task_id', 'map_index', 'state', 'try_number'])
      .where('dag_id', '=', dagId)
      .where('run_id', '=', runId)
      .orderBy('task_id')
      .orderBy('map_index')
      .execute();
    return rows as TaskInstanceRow[];
  }

  async xcom(dagId: string, runId: string, taskId: string, mapIndex = -1): Promise<unknown> {
    const row = await this.database.db
      .selectFrom('xcom')
      .select('value')
      .where('dag_id', '=', dagId)
      .where('run_id', '=', runId)
      .where('task_id', '=', taskId)
      .where('map_index', '=', mapIndex)
      .where('key', '=', 'return_value')
      .executeTakeFirst();
    return row ? JSON.parse(row.value) : undefined;
  }

  async destroy(): Promise<void> {
    await this.test.destroy();
    rmSync(this.home, { recursive: true, force: true });
  }
}
