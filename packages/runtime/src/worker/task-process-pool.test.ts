import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DialectName } from '@tidemark/db';
import { eachDialect, waitUntil } from '@tidemark/db/testing';
import { TASK_PROCESS_ENTRY } from '@tidemark/sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  FIXTURE_DAG_FILE,
  FIXTURE_DAGS_FOLDER,
  isProcessAlive,
  openWorkerTestWorld,
  type WorkerTestWorld,
} from './fixtures/worker-test-world.ts';
import { type AttemptResult, runAttempt } from './supervisor.ts';
import { TaskProcessPool, type TaskProcessPoolOptions } from './task-process-pool.ts';

const KILL_GRACE_MS = 500;
/** Inside the repository, so that a DAG file written there resolves `@tidemark/sdk`. */
const SCRATCH_ROOT = join(import.meta.dirname, '../../../../test-output');

interface ProcessAge {
  readonly pid: number;
}

interface Leaky {
  readonly pid: number;
  readonly runId: string;
  readonly moduleAttempts: number;
  readonly found: { readonly env: string | null; readonly previousContextRefused: string | null };
}

function returnValueOf<T>(result: AttemptResult): T {
  return (result.outcome as { return_value?: unknown }).return_value as T;
}

/** The pool and a worker test world; each test opens the pool it needs. */
function usePoolWorld(dialect: DialectName) {
  let world: WorkerTestWorld;
  let pool: TaskProcessPool | undefined;
  beforeEach(async () => {
    world = await openWorkerTestWorld(dialect);
  });
  afterEach(async () => {
    await pool?.close();
    pool = undefined;
    await world.close();
  });

  function openPool(options: Partial<TaskProcessPoolOptions> = {}): TaskProcessPool {
    pool = new TaskProcessPool({
      entryFile: TASK_PROCESS_ENTRY,
      warm: 0,
      maxAttemptsPerProcess: 10,
      maxProcessMemoryMb: 0,
      killGracePeriodMs: KILL_GRACE_MS,
      ...options,
    });
    return pool;
  }

  /** Triggers a run, queues `taskId`, claims it and supervises it with the pool. */
  async function runTask(taskId: string, dagsFolder = FIXTURE_DAGS_FOLDER): Promise<AttemptResult & { tiId: string }> {
    const run = await world.trigger('worker_basics');
    const tiId = await world.queue(run, taskId);
    const claimed = await world.api.claim('test-worker:1');
    if (!claimed) throw new Error('nothing was claimable');
    const result = await runAttempt({
      claimed,
      api: world.api,
      dagsFolder,
      killGracePeriodMs: KILL_GRACE_MS,
      taskProcesses: pool,
    });
    return { ...result, tiId };
  }

  async function returned<T>(taskId: string, dagsFolder?: string): Promise<T> {
    const result = await runTask(taskId, dagsFolder);
    expect(result.outcome).toMatchObject({ state: 'success' });
    return returnValueOf<T>(result);
  }

  return {
    world: () => world,
    pool: () => pool,
    openPool,
    runTask,
    returned,
  };
}

describe.each(eachDialect())('reused task processes on %s', (dialect) => {
  const { world, openPool, runTask, returned } = usePoolWorld(dialect);

  it('runs attempts one after another in one process; an attempt sees neither the environment, the context nor the timers of the one before', async () => {
    openPool();
    const first = await returned<Leaky>('leaky');
    const second = await runTask('leaky');

    expect(second.outcome).toMatchObject({ state: 'success' });
    const found = returnValueOf<Leaky>(second);
    expect(found.pid).toBe(first.pid);
    expect(found.runId).not.toBe(first.runId);
    expect(found.found.env).toBeNull();
    expect(found.found.previousContextRefused).toMatch(/the attempt it belongs to has ended/);
    // Module-level state persists (README "Workers"): the DAG file was imported once.
    expect(found.moduleAttempts).toBe(2);
    const log = await world().attemptLog(second.tiId, 1);
    expect(log).toContain(`task process reused (pid ${first.pid}, attempt 2 in this process)`);
    expect(log).not.toContain(`leftover timer of ${first.runId}`);
    expect(await world().attemptLog(second.tiId, 1)).toContain(`no newline after this from ${found.runId}`);
  });

  it('fails only the attempt a SIGKILLed reused process was running; the next attempt gets a new process', async () => {
    openPool();
    const before = await runTask('process_age');
    const { pid } = returnValueOf<ProcessAge>(before);

    const killed = runTask('sleepy');
    expect(await world().waitForPid('sleepy', 1)).toBe(pid);
    process.kill(pid, 'SIGKILL');
    const result = await killed;

    expect(result.state).toBe('up_for_retry');
    expect(result.outcome).toMatchObject({ state: 'failed', retryable: true });
    expect(result.outcome.state === 'failed' && result.outcome.error).toContain('SIGKILL');
    expect((await world().taskInstance(before.tiId)).state).toBe('success');
    const after = await returned<ProcessAge>('process_age');
    expect(after.pid).not.toBe(pid);
  });
});

describe.each(eachDialect())('recycled task processes on %s', (dialect) => {
  const { pool, openPool, returned } = usePoolWorld(dialect);

  it('replaces a process after worker.max_attempts_per_process attempts; with 1, every attempt has its own process', async () => {
    openPool({ maxAttemptsPerProcess: 2 });
    const pids: number[] = [];
    for (let i = 0; i < 3; i++) pids.push((await returned<ProcessAge>('process_age')).pid);
    expect(pids[1]).toBe(pids[0]);
    expect(pids[2]).not.toBe(pids[0]);
    await waitUntil(() => !isProcessAlive(pids[0] ?? 0), `pid ${pids[0]} to exit after its 2 attempts`);

    await pool()?.close();
    openPool({ maxAttemptsPerProcess: 1 });
    const one = await returned<ProcessAge>('process_age');
    await waitUntil(() => !isProcessAlive(one.pid), `pid ${one.pid} to exit after its one attempt`);
    expect((await returned<ProcessAge>('process_age')).pid).not.toBe(one.pid);
  });

  it('replaces a process whose memory is above worker.max_process_memory_mb after an attempt', async () => {
    openPool({ maxProcessMemoryMb: 1 });
    const first = await returned<ProcessAge>('process_age');
    await waitUntil(() => !isProcessAlive(first.pid), `pid ${first.pid} to be retired above the ceiling`);
    expect((await returned<ProcessAge>('process_age')).pid).not.toBe(first.pid);
  });

  it('replaces a process when the DAG file it imported changed: the new code runs', async () => {
    mkdirSync(SCRATCH_ROOT, { recursive: true });
    const dagsFolder = mkdtempSync(join(SCRATCH_ROOT, 'reused-process-dags-'));
    try {
      const writeVersion = (version: string) =>
        writeFileSync(
          join(dagsFolder, FIXTURE_DAG_FILE),
          `import { dag } from '@tidemark/sdk';\n` +
            `export const basics = dag('worker_basics');\n` +
            `basics.task('process_age', () => ({ pid: process.pid, version: '${version}' }));\n`,
        );
      openPool();
      writeVersion('one');
      const first = await returned<ProcessAge & { version: string }>('process_age', dagsFolder);
      expect(first.version).toBe('one');
      writeVersion('two, longer');

      const second = await returned<ProcessAge & { version: string }>('process_age', dagsFolder);

      expect(second.version).toBe('two, longer');
      expect(second.pid).not.toBe(first.pid);
    } finally {
      rmSync(dagsFolder, { recursive: true, force: true });
    }
  });
});
