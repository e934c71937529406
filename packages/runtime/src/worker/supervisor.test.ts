import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eachDialect, waitUntil } from '@tidemark/db/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OVERRUN_TIMEOUT_MS } from './fixtures/worker-test-dags.ts';
import {
  FIXTURE_DAGS_FOLDER,
  isProcessAlive,
  openWorkerTestWorld,
  type TestRun,
  type WorkerTestWorld,
} from './fixtures/worker-test-world.ts';
import { type AttemptResult, type RunAttemptOptions, runAttempt } from './supervisor.ts';

const KILL_GRACE_MS = 500;
const OVERRUN_TIMEOUT = `${OVERRUN_TIMEOUT_MS / 1_000}s`;

/** Claims the one queued attempt and supervises it to its end. */
async function claimAndRun(world: WorkerTestWorld, options: Partial<RunAttemptOptions> = {}): Promise<AttemptResult> {
  const claimed = await world.api.claim('test-worker:1');
  if (!claimed) throw new Error('nothing was claimable');
  return runAttempt({
    claimed,
    api: world.api,
    dagsFolder: FIXTURE_DAGS_FOLDER,
    killGracePeriodMs: KILL_GRACE_MS,
    workerName: 'test-worker:1',
    ...options,
  });
}

describe.each(eachDialect())('supervisor on %s', (dialect) => {
  let world: WorkerTestWorld;
  beforeEach(async () => {
    world = await openWorkerTestWorld(dialect);
  });
  afterEach(() => world.close());

  it('runs a task to success: its return value lands as XCom and every log source in the attempt log', async () => {
    const run = await world.trigger('worker_basics');
    const tiId = await world.queue(run, 'greet');

    const result = await claimAndRun(world);

    expect(result).toMatchObject({ tiId, state: 'success', outcome: { state: 'success' } });
    expect((await world.taskInstance(tiId)).state).toBe('success');
    expect(await world.returnValue(run, 'greet')).toEqual({ greeting: 'hello', tryNumber: 1 });
    const log = await world.attemptLog(tiId, 1);
    expect(log).toContain('[supervisor] starting attempt 1 of 2 of task greet');
    expect(log).toContain('INFO [task] hello from the task logger');
    expect(log).toContain('INFO [stdout] hello from stdout');
    expect(log).toContain('[stderr] hello from stderr');
    expect(log).toContain('[supervisor] task succeeded');
  });

  it('reports a thrown error as a retryable failure: the TI is up for retry', async () => {
    const run = await world.trigger('worker_basics');
    const tiId = await world.queue(run, 'boom');

    const result = await claimAndRun(world);

    expect(result.state).toBe('up_for_retry');
    expect(result.outcome).toMatchObject({ state: 'failed', retryable: true });
    expect(result.outcome.state === 'failed' && result.outcome.error).toContain('boom on purpose');
    expect((await world.taskInstance(tiId)).state).toBe('up_for_retry');
    expect(await world.attemptLog(tiId, 1)).toContain('boom on purpose');
    expect(await world.attemptLog(tiId, 1)).toContain('task failed (try 1 of 2, retryable)');
  });

  it('lets a downstream task pull its upstream XCom', async () => {
    const run = await world.trigger('worker_chain');
    await world.queue(run, 'extract');
    expect((await claimAndRun(world)).state).toBe('success');
    await world.queue(run, 'transform');

    const result = await claimAndRun(world);

    expect(result.state).toBe('success');
    expect(await world.returnValue(run, 'transform')).toBe(42);
  });
});

describe('supervisor', () => {
  let world: WorkerTestWorld;
  beforeEach(async () => {
    world = await openWorkerTestWorld('sqlite', { scheduler: { task_heartbeat_timeout: '1s' } });
  });
  afterEach(() => world.close());

  async function queued(
    taskId: string,
    conf: Record<string, number | string> = {},
  ): Promise<{ run: TestRun; tiId: string }> {
    const run = await world.trigger('worker_basics', conf);
    return { run, tiId: await world.queue(run, taskId) };
  }

  it('relays a missing XCom as an error the task sees, with the server reason', async () => {
    const run = await world.trigger('worker_chain');
    const tiId = await world.queue(run, 'transform');

    const result = await claimAndRun(world);

    expect(result.state).toBe('failed');
    expect(result.outcome.state === 'failed' && result.outcome.error).toMatch(/extract/);
    expect(await world.attemptLog(tiId, 1)).toContain('task failed');
  });

  it('ends a task over its execution timeout with SIGTERM, then SIGKILL, and records it as timed out', async () => {
    const { tiId } = await queued('overrun');

    const result = await claimAndRun(world);

    expect(result.outcome).toEqual({ state: 'failed', error: `timed out after ${OVERRUN_TIMEOUT}`, retryable: true });
    expect(result.state).toBe('up_for_retry');
    expect(result.durationMs).toBeGreaterThanOrEqual(OVERRUN_TIMEOUT_MS + KILL_GRACE_MS);
    const log = await world.attemptLog(tiId, 1);
    expect(log).toContain(`execution timeout of ${OVERRUN_TIMEOUT} reached: sending SIGTERM`);
    expect(log).toContain('did not exit within 0.5s of SIGTERM: sending SIGKILL');
    expect(log).toContain(`timed out after ${OVERRUN_TIMEOUT}`);
    expect(isProcessAlive(await world.waitForPid('overrun', 1))).toBe(false);
  });

  it('records a task process killed by SIGKILL as a retryable failure, and the retry runs', async () => {
    const { run, tiId } = await queued('sleepy', { sleep_ms: 60_000 });
    const attempt = claimAndRun(world);
    process.kill(await world.waitForPid('sleepy', 1), 'SIGKILL');

    const result = await attempt;

    expect(result.outcome).toMatchObject({ state: 'failed', retryable: true });
    expect(result.outcome.state === 'failed' && result.outcome.error).toContain('task process was killed by SIGKILL');
    expect(result.state).toBe('up_for_retry');
    expect(await world.attemptLog(tiId, 1)).toContain('task process was killed by SIGKILL');

    await world.database.db
      .updateTable('dag_run')
      .set({ conf: '{"sleep_ms": 0}' })
      .where('id', '=', run.dagRunId)
      .execute();
    await world.database.db.updateTable('task_instance').set({ state: 'queued' }).where('id', '=', tiId).execute();
    const retry = await claimAndRun(world);
    expect(retry.state).toBe('success');
    expect(await world.returnValue(run, 'sleepy')).toEqual({ tryNumber: 2 });
  });

  it('reports an exit without an outcome with its exit code and last stderr lines', async () => {
    await queued('exit_3');

    const result = await claimAndRun(world);

    expect(result.outcome).toMatchObject({ state: 'failed', retryable: true });
    const error = result.outcome.state === 'failed' ? result.outcome.error : '';
    expect(error).toContain('task process exited with code 3');
    expect(error).toContain('about to exit with code 3');
  });

  it('keeps heartbeat_at fresh while the task blocks its own event loop', async () => {
    const releaseFile = join(world.pidDir, 'busy.release');
    const { tiId } = await queued('busy', { release_file: releaseFile });
    const attempt = claimAndRun(world);
    await world.waitForPid('busy', 1);
    const claimedAt = (await world.taskInstance(tiId)).start_date as number;

    // The task now spins until released: every heartbeat from here on comes from the supervisor alone.
    const heartbeats = new Set<number>();
    await waitUntil(
      async () => {
        const ti = await world.taskInstance(tiId);
        expect(ti.state).toBe('running');
        if ((ti.heartbeat_at as number) > claimedAt) heartbeats.add(ti.heartbeat_at as number);
        return heartbeats.size >= 3 ? true : undefined;
      },
      'three heartbeats while the task process blocks its event loop',
      15_000,
      20,
    );
    writeFileSync(releaseFile, '');
    const result = await attempt;

    expect(result.state).toBe('success');
  });

  it('kills the task process when a heartbeat finds the attempt stale, and does not call finish', async () => {
    const { tiId } = await queued('sleepy', { sleep_ms: 60_000 });
    const attempt = claimAndRun(world);
    const pid = await world.waitForPid('sleepy', 1);
    await world.database.db.updateTable('task_instance').set({ state: 'failed' }).where('id', '=', tiId).execute();

    const result = await attempt;

    expect(result.outcome.state).toBe('stale');
    expect(result.state).toBeNull();
    expect(result.timings.finishRecordedMs).toBeNull();
    expect(result.durationMs).toBeLessThan(5_000);
    expect(isProcessAlive(pid)).toBe(false);
    const ti = await world.taskInstance(tiId);
    expect(ti.state).toBe('failed');
    const log = await world.attemptLog(tiId, 1);
    expect(log).toContain('attempt abandoned: the task instance moved on');
    expect(log).toContain('killing the task process (SIGKILL)');
    expect(log).not.toContain('attempt 1 finished');
  });

  it('turns a success whose return value the server cannot store into a failure that says why', async () => {
    await world.close();
    world = await openWorkerTestWorld('sqlite', { state: { max_value_bytes: 1_000 } });
    const { tiId } = await queued('huge');

    const result = await claimAndRun(world);

    expect(result.outcome).toMatchObject({ state: 'failed', retryable: false });
    expect(result.state).toBe('failed');
    expect(await world.attemptLog(tiId, 1)).toContain('could not be stored');
  });

  it('refreshes the attempt token before it expires', async () => {
    await world.close();
    world = await openWorkerTestWorld('sqlite', { api: { token_ttl: '2s' } });
    await queued('sleepy', { sleep_ms: 3_500 });

    const result = await claimAndRun(world);

    expect(result.state).toBe('success');
  });

  it('ends the task process when the worker stops it, and reports a retryable failure', async () => {
    await queued('sleepy', { sleep_ms: 60_000 });
    const stop = new AbortController();
    const attempt = claimAndRun(world, { signal: stop.signal });
    const pid = await world.waitForPid('sleepy', 1);
    stop.abort();

    const result = await attempt;

    expect(result.outcome).toMatchObject({ state: 'failed', retryable: true });
    expect(result.state).toBe('up_for_retry');
    await waitUntil(() => (isProcessAlive(pid) ? undefined : true), 'the task process to end', 2_000, 20);
  });
});
