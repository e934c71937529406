import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JsonValue } from '@tidemark/core';
import {
  connectDatabase,
  type DialectName,
  type MetadataDatabase,
  readSerializedDag,
  triggerDagRun,
} from '@tidemark/db';
import { createTestDatabase, freePort, type TestDatabase, waitUntil } from '@tidemark/db/testing';
import { stopProcess } from './bench-world.ts';

const BIN = join(import.meta.dirname, '..', '..', 'packages', 'cli', 'bin', 'tidemark.mjs');
const BENCH_DAGS = join(import.meta.dirname, '..', 'dags');

/** A finished run's task instances with their timestamps and return values. */
export interface FinishedTaskInstance {
  readonly taskId: string;
  readonly queuedAt: number;
  readonly startDate: number;
  readonly endDate: number;
  readonly returnValue: JsonValue | undefined;
}

/** `tidemark standalone` on a fresh database with the DAGs of bench/dags, in its own process. */
export interface StandaloneWorld {
  readonly database: MetadataDatabase;
  /** Triggers the DAG and waits for the run to succeed; the wall time from trigger to done. */
  runDag(dagId: string, conf?: Record<string, JsonValue>): Promise<{ wallMs: number; tis: FinishedTaskInstance[] }>;
  close(): Promise<void>;
}

export async function openStandaloneWorld(
  dialect: DialectName,
  options: { postgresUrl?: string | undefined; dags: readonly string[]; env?: Record<string, string> },
): Promise<StandaloneWorld> {
  const test: TestDatabase = await createTestDatabase(dialect, { postgresUrl: options.postgresUrl });
  const home = mkdtempSync(join(tmpdir(), 'tidemark-bench-'));
  const port = await freePort();
  const standalone: ChildProcess = spawn(process.execPath, [BIN, 'standalone'], {
    env: {
      PATH: process.env.PATH ?? '',
      TIDEMARK_HOME: home,
      TIDEMARK_DATABASE__URL: test.url,
      TIDEMARK_CORE__DAGS_FOLDER: BENCH_DAGS,
      TIDEMARK_API__PORT: String(port),
      TIDEMARK_LOGGING__LEVEL: 'warn',
      ...options.env,
    },
    stdio: 'ignore',
  });
  const database = await connectDatabase(test.url);
  const close = async () => {
    await stopProcess(standalone);
    await database.close();
    await test.destroy();
    rmSync(home, { recursive: true, force: true });
  };
  try {
    for (const dagId of options.dags)
      await waitUntil(() => readSerializedDag(database.db, dagId), `DAG ${dagId} to be parsed`, 120_000, 200);
  } catch (error) {
    await close();
    throw error;
  }
  let runs = 0;
  return {
    database,
    async runDag(dagId, conf = {}) {
      const runId = `bench-${++runs}`;
      const started = Date.now();
      await triggerDagRun(database, { dagId, runId, conf });
      await waitUntil(
        async () => {
          const run = await database.db
            .selectFrom('dag_run')
            .select('state')
            .where('dag_id', '=', dagId)
            .where('run_id', '=', runId)
            .executeTakeFirst();
          if (run?.state === 'failed') throw new Error(`${dagId} failed; see ${home}/logs`);
          return run?.state === 'success';
        },
        `run ${runId} of ${dagId} to succeed`,
        900_000,
        200,
      );
      const wallMs = Date.now() - started;
      const rows = await database.db
        .selectFrom('task_instance as ti')
        .leftJoin('xcom', (join) =>
          join
            .onRef('xcom.dag_run_id', '=', 'ti.dag_run_id')
            .onRef('xcom.task_id', '=', 'ti.task_id')
            .on('xcom.key', '=', 'return_value'),
        )
        .select(['ti.task_id', 'ti.queued_at', 'ti.start_date', 'ti.end_date', 'xcom.value'])
        .where('ti.dag_id', '=', dagId)
        .where('ti.run_id', '=', runId)
        .execute();
      const tis = rows.map((row) => ({
        taskId: row.task_id,
        queuedAt: Number(row.queued_at),
        startDate: Number(row.start_date),
        endDate: Number(row.end_date),
        returnValue: row.value === null ? undefined : (JSON.parse(row.value) as JsonValue),
      }));
      return { wallMs, tis };
    },
    close,
  };
}
