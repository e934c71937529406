import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JsonValue } from '@tidemark/core';
import { connectDatabase, type DialectName, type MetadataDatabase } from '@tidemark/db';
import { createTestDatabase, freePort, type TestDatabase } from '@tidemark/db/testing';
import { stopProcess } from './bench-world.ts';
import { type FinishedRun, runDagToSuccess, waitForParsedDags } from './dag-runs.ts';

const BIN = join(import.meta.dirname, '..', '..', 'packages', 'cli', 'bin', 'tidemark.mjs');
export const BENCH_DAGS = join(import.meta.dirname, '..', 'dags');

/** `tidemark standalone` on a fresh database with the DAGs of bench/dags, in its own process. */
export interface StandaloneWorld {
  readonly database: MetadataDatabase;
  /** Triggers the DAG and waits for the run to succeed; the wall time from trigger to done. */
  runDag(dagId: string, conf?: Record<string, JsonValue>): Promise<FinishedRun>;
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
    await waitForParsedDags(database, options.dags);
  } catch (error) {
    await close();
    throw error;
  }
  let runs = 0;
  return {
    database,
    runDag(dagId, conf = {}) {
      return runDagToSuccess(database, { dagId, runId: `bench-${++runs}`, conf }, `${home}/logs`);
    },
    close,
  };
}
