import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SerializedDag } from '@tidemark/core';
import { type DialectName, type MetadataDatabase, triggerDagRun, upsertSerializedDag } from '@tidemark/db';
import { createTestDatabase, freePort, serializedTask, type TestDatabase, waitUntil } from '@tidemark/db/testing';
import { issueWorkerToken } from '@tidemark/server';

const BIN = join(import.meta.dirname, '..', '..', 'packages', 'cli', 'bin', 'tidemark.mjs');
const SECRET_KEY = 'bench-secret-key-bench-secret-key-0123456789';
const SESSION_KEY = 'bench-session-key-bench-session-key-0123456789';

export const BENCH_DAG_ID = 'bench_state';

/** A running task instance as a worker holds it: its id and its attempt token. */
export interface BenchAttempt {
  readonly tiId: string;
  readonly token: string;
}

/**
 * One benchmark world: a fresh database (SQLite file or PostgreSQL schema), migrated, with a DAG of
 * `tasks` tasks whose TIs are all claimed (running), and the real `tidemark api-server` serving it in
 * its own process.
 */
export interface BenchWorld {
  readonly dialect: DialectName;
  readonly test: TestDatabase;
  readonly database: MetadataDatabase;
  readonly origin: string;
  readonly attempts: readonly BenchAttempt[];
  /** The dag_run row id of the seeded run (for raw SQL baselines). */
  readonly dagRunId: number;
  close(): Promise<void>;
}

export async function openBenchWorld(
  dialect: DialectName,
  options: {
    postgresUrl?: string | undefined;
    tasks?: number;
    env?: Record<string, string>;
    /** Node flags for the api-server process (`--cpu-prof` to profile it). */
    nodeArgs?: readonly string[];
  } = {},
): Promise<BenchWorld> {
  const test = await createTestDatabase(dialect, { postgresUrl: options.postgresUrl });
  const home = mkdtempSync(join(tmpdir(), 'tidemark-bench-'));
  const taskCount = options.tasks ?? 32;
  const dag: SerializedDag = {
    dagId: BENCH_DAG_ID,
    fileloc: 'bench/state.ts',
    schedule: null,
    startDate: null,
    catchup: false,
    description: null,
    tags: [],
    tasks: Array.from({ length: taskCount }, (_, index) => serializedTask(`task_${index}`)),
  };
  await upsertSerializedDag(test.database.db, dag);
  const run = await triggerDagRun(test.database, { dagId: BENCH_DAG_ID, runId: 'bench__1' });
  await test.database.db.updateTable('task_instance').set({ state: 'queued', queued_at: Date.now() }).execute();

  const port = await freePort();
  const server = spawn(process.execPath, [...(options.nodeArgs ?? []), BIN, 'api-server'], {
    env: {
      PATH: process.env.PATH ?? '',
      TIDEMARK_HOME: home,
      TIDEMARK_DATABASE__URL: test.url,
      TIDEMARK_API__PORT: String(port),
      TIDEMARK_API__SECRET_KEY: SECRET_KEY,
      TIDEMARK_API__SESSION_KEY: SESSION_KEY,
      TIDEMARK_LOGGING__LEVEL: 'warn',
      // Group commit on (the default) or off (1), to measure both on the same machine.
      ...(process.env.TIDEMARK_STATE__WRITE_BATCH_SIZE
        ? { TIDEMARK_STATE__WRITE_BATCH_SIZE: process.env.TIDEMARK_STATE__WRITE_BATCH_SIZE }
        : {}),
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const origin = `http://127.0.0.1:${port}`;
  try {
    await waitForHealth(origin, server);
    const attempts = await claimAll(origin, taskCount);
    return {
      dialect,
      test,
      database: test.database,
      origin,
      attempts,
      dagRunId: run.dagRunId,
      async close() {
        await stopProcess(server);
        await test.destroy();
        rmSync(home, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await stopProcess(server);
    await test.destroy();
    throw error;
  }
}

async function claimAll(origin: string, count: number): Promise<BenchAttempt[]> {
  const workerToken = issueWorkerToken(SECRET_KEY, 3_600_000);
  const attempts: BenchAttempt[] = [];
  for (let index = 0; index < count; index++) {
    const response = await fetch(`${origin}/execution/workloads/claim`, {
      method: 'POST',
      headers: { authorization: `Bearer ${workerToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ worker: 'bench:1' }),
    });
    if (response.status !== 200) throw new Error(`claim answered ${response.status}: ${await response.text()}`);
    const claimed = (await response.json()) as { ti_id: string; token: string };
    attempts.push({ tiId: claimed.ti_id, token: claimed.token });
  }
  return attempts;
}

export async function waitForHealth(origin: string, server: ChildProcess): Promise<void> {
  let output = '';
  server.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  server.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const answers = async () => {
    if (server.exitCode !== null) throw new Error(`api-server exited:\n${output}`);
    return fetch(`${origin}/health`).then(
      (response) => response.ok,
      () => false, // not listening yet
    );
  };
  await waitUntil(answers, 'the api-server to answer /health', 60_000).catch((error: Error) => {
    throw new Error(`${error.message}:\n${output}`);
  });
}

export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.on('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
