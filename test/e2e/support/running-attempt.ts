import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitUntil } from '@tidemark/db/testing';
import type { E2eEnvironment } from './e2e-environment.ts';

/** One task instance, by name. */
export interface TaskInstanceName {
  readonly dagId: string;
  readonly runId: string;
  readonly taskId: string;
  readonly mapIndex?: number;
}

/** A try that is running now, with the processes that run it. */
export interface RunningAttempt {
  readonly tryNumber: number;
  /** The task's child process (the supervisor logs its pid first thing in the attempt log). */
  readonly taskPid: number;
  /** The `tidemark worker` whose supervisor runs it (the TI's `worker` column is `host:pid`). */
  readonly workerPid: number;
}

/** The attempt log the api-server writes (packages/server attemptLogPath). */
export function attemptLogPath(home: string, ti: TaskInstanceName, tryNumber: number): string {
  return join(
    home,
    'logs',
    `dag_id=${encodeURIComponent(ti.dagId)}`,
    `run_id=${encodeURIComponent(ti.runId)}`,
    `task_id=${encodeURIComponent(ti.taskId)}`,
    `map_index=${ti.mapIndex ?? -1}`,
    `attempt=${tryNumber}.log`,
  );
}

export function readAttemptLog(home: string, ti: TaskInstanceName, tryNumber: number): string {
  const path = attemptLogPath(home, ti, tryNumber);
  return existsSync(path) ? readFileSync(path, 'utf8') : '';
}

/**
 * Waits until the TI runs try `minTry` or a later one and its task process has started; undefined
 * when the run finished first.
 */
export function waitForRunningAttempt(
  env: E2eEnvironment,
  ti: TaskInstanceName,
  minTry: number,
  timeoutMs = 60_000,
): Promise<RunningAttempt | undefined> {
  return waitUntil<RunningAttempt | 'finished'>(
    async () => {
      const row = await env.database.db
        .selectFrom('task_instance')
        .select(['state', 'try_number', 'worker'])
        .where('dag_id', '=', ti.dagId)
        .where('run_id', '=', ti.runId)
        .where('task_id', '=', ti.taskId)
        .where('map_index', '=', ti.mapIndex ?? -1)
        .executeTakeFirst();
      if (row?.state === 'success' || row?.state === 'failed') return 'finished';
      if (row?.state !== 'running' || row.try_number < minTry || !row.worker) return undefined;
      const started = readAttemptLog(env.home, ti, row.try_number).match(/task process (?:started|reused) \(pid (\d+)/);
      if (!started) return undefined;
      return { tryNumber: row.try_number, taskPid: Number(started[1]), workerPid: workerPidOf(row.worker) };
    },
    `${ti.dagId}/${ti.runId}/${ti.taskId} to run try ${minTry} or later`,
    timeoutMs,
    25,
  ).then((found) => (found === 'finished' ? undefined : found));
}

/** `TI.worker` is the worker's name, `hostname:pid` by default. */
function workerPidOf(worker: string): number {
  const pid = Number(worker.slice(worker.lastIndexOf(':') + 1));
  if (!Number.isSafeInteger(pid) || pid <= 0) throw new Error(`TI worker "${worker}" does not end in :<pid>`);
  return pid;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
