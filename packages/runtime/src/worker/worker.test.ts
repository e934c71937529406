import { waitUntil } from '@tidemark/db/testing';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { childTaskProcessPids } from './fixtures/child-task-processes.ts';
import {
  FIXTURE_DAGS_FOLDER,
  isProcessAlive,
  openWorkerTestWorld,
  TEST_SECRET_KEY,
  type WorkerTestWorld,
} from './fixtures/worker-test-world.ts';
import type { AttemptResult } from './supervisor.ts';
import { startWorker, type Worker, type WorkerOptions } from './worker.ts';

describe('worker', () => {
  let world: WorkerTestWorld;
  let worker: Worker | undefined;
  beforeEach(async () => {
    world = await openWorkerTestWorld('sqlite', { scheduler: { task_heartbeat_timeout: '2s' } });
  });
  afterEach(async () => {
    await worker?.stop({ graceMs: 0 });
    worker = undefined;
    await world.close();
  });

  function start(options: Partial<WorkerOptions> = {}): { worker: Worker; logLines: string[]; done: AttemptResult[] } {
    const logLines: string[] = [];
    const done: AttemptResult[] = [];
    worker = startWorker({
      apiUrl: world.apiUrl,
      secretKey: TEST_SECRET_KEY,
      dagsFolder: FIXTURE_DAGS_FOLDER,
      parallelism: 2,
      pollIntervalMs: 50,
      killGracePeriodMs: 500,
      workerName: 'test-worker:1',
      logger: pino({ level: 'debug' }, { write: (line: string) => void logLines.push(line) }),
      onAttemptDone: (result) => done.push(result),
      ...options,
    });
    return { worker, logLines, done };
  }

  async function queueSleepy(sleepMs: number): Promise<string> {
    const run = await world.trigger('worker_basics', { sleep_ms: sleepMs });
    return world.queue(run, 'sleepy');
  }

  async function runningCount(): Promise<number> {
    const row = await world.database.db
      .selectFrom('task_instance')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('state', '=', 'running')
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  it('runs at most `parallelism` attempts at once, and all of them to the end', async () => {
    const tiIds = [await queueSleepy(1_200), await queueSleepy(1_200), await queueSleepy(1_200)];
    const { worker, done } = start({ parallelism: 2 });

    let maxRunning = 0;
    let maxSupervised = 0;
    await waitUntil(
      async () => {
        maxRunning = Math.max(maxRunning, await runningCount());
        maxSupervised = Math.max(maxSupervised, worker.running);
        return done.length === 3 ? true : undefined;
      },
      'the 3 attempts to end',
      30_000,
      20,
    );

    expect(maxRunning).toBe(2);
    expect(maxSupervised).toBe(2);
    for (const tiId of tiIds) expect((await world.taskInstance(tiId)).state).toBe('success');
    expect((await world.taskInstance(tiIds[0] as string)).worker).toBe('test-worker:1');
  });

  it('with warm processes, an attempt runs in a process started before its claim, one process per attempt', async () => {
    const { done } = start({ warmProcesses: 1 });
    const usedPids: number[] = [];
    for (let attempt = 1; attempt <= 2; attempt++) {
      // The process that will run this attempt is alive before the attempt is even queued.
      const warmPid = await waitUntil(
        () => childTaskProcessPids().find((pid) => !usedPids.includes(pid)),
        `a warm task process for attempt ${attempt}`,
        15_000,
        20,
      );
      const run = await world.trigger('worker_basics');
      await world.queue(run, 'process_age');
      await waitUntil(() => (done.length === attempt ? true : undefined), `attempt ${attempt} to end`, 15_000, 20);
      const age = (await world.returnValue(run, 'process_age')) as { pid: number };
      expect(age.pid).toBe(warmPid);
      usedPids.push(warmPid);
    }
    expect(new Set(usedPids).size).toBe(2);
  });

  it('without warm processes, the task process starts after the claim', async () => {
    const { done } = start({ warmProcesses: 0 });
    const run = await world.trigger('worker_basics');
    const tiId = await world.queue(run, 'process_age');
    await waitUntil(() => (done.length === 1 ? true : undefined), 'the attempt to end', 15_000, 20);
    const age = (await world.returnValue(run, 'process_age')) as { startedAt: number };
    expect(age.startedAt).toBeGreaterThan(Number((await world.taskInstance(tiId)).start_date));
  });

  it('keeps claiming through an api-server restart, backing off while it is down', async () => {
    await world.stopServer();
    const { logLines, done } = start();
    const tiId = await queueSleepy(0);
    await waitUntil(
      () => (logLines.filter((line) => line.includes('api-server is unreachable')).length >= 2 ? true : undefined),
      'two failed claims',
      10_000,
      20,
    );

    await world.startServer();
    await waitUntil(() => done[0], 'the attempt to finish', 15_000, 20);

    expect(done[0]?.state).toBe('success');
    expect((await world.taskInstance(tiId)).state).toBe('success');
  });

  it('stop() waits for a running attempt that finishes within the grace, and claims nothing more', async () => {
    const tiId = await queueSleepy(800);
    const { worker } = start();
    await waitUntil(
      async () => ((await world.taskInstance(tiId)).state === 'running' ? true : undefined),
      'claim',
      10_000,
      20,
    );

    await worker.stop({ graceMs: 10_000 });

    expect(worker.running).toBe(0);
    expect((await world.taskInstance(tiId)).state).toBe('success');
    const later = await queueSleepy(0);
    // A worker started now claims it: had the stopped one still been claiming, the TI would be its.
    const next = start({ workerName: 'next-worker:2' });
    await waitUntil(
      () => (next.done.length === 1 ? true : undefined),
      'the next worker to run the queued TI',
      15_000,
      20,
    );
    expect((await world.taskInstance(later)).worker).toBe('next-worker:2');
  });

  it('stop() ends attempts still running after the grace, and reports them for retry', async () => {
    const tiId = await queueSleepy(60_000);
    const { worker } = start();
    const pid = await world.waitForPid('sleepy', 1);

    await worker.stop({ graceMs: 200 });

    expect(isProcessAlive(pid)).toBe(false);
    expect((await world.taskInstance(tiId)).state).toBe('up_for_retry');
    expect(await world.attemptLog(tiId, 1)).toContain('the worker is stopping: sending SIGTERM');
  });
});
