import { fileURLToPath } from 'node:url';
import type { AttemptSpec } from '@tidemark/core/task-process';
import { describe, expect, it } from 'vitest';
import { TestSupervisor } from './fixtures/test-supervisor.ts';

const DAG_FILE = fileURLToPath(new URL('./fixtures/deferral-dag.ts', import.meta.url));

function attemptOf(taskId: string, overrides: Partial<AttemptSpec> = {}): AttemptSpec {
  return {
    dagId: 'deferral_fixture',
    runId: 'manual__1',
    taskId,
    mapIndex: -1,
    tryNumber: 1,
    maxTries: 2,
    dagFile: DAG_FILE,
    conf: {},
    logicalDate: null,
    ...overrides,
  };
}

async function finishedOf(attempt: AttemptSpec) {
  const result = await new TestSupervisor(attempt).result;
  expect(result.finished, `stderr: ${result.stderr}`).toHaveLength(1);
  expect(result.exitCode).toBe(0);
  return result.finished[0];
}

describe.concurrent('a task that defers (SPEC §16)', () => {
  it('ends its attempt as deferred with the poll, its arguments, its interval and the timeout', async () => {
    expect(await finishedOf(attemptOf('defers_to_poll'))).toEqual({
      type: 'finished',
      outcome: 'deferred',
      wait: { kind: 'poll', name: 'spark_job', args: { jobId: 'j-1' }, everyMs: 5_000 },
      timeoutMs: 3 * 3_600_000,
    });
    expect(await finishedOf(attemptOf('defers_by_name'))).toMatchObject({
      outcome: 'deferred',
      wait: { kind: 'poll', name: 'spark_job', args: { jobId: 'j-2' }, everyMs: 5_000 },
    });
  });

  it('sends timers as a delay or an instant, for the server to time', async () => {
    expect(await finishedOf(attemptOf('defers_to_timer'))).toEqual({
      type: 'finished',
      outcome: 'deferred',
      wait: { kind: 'timer', delayMs: 600_000 },
    });
    expect(await finishedOf(attemptOf('defers_until'))).toMatchObject({
      wait: { kind: 'timer', until: Date.UTC(2030, 0, 1) },
    });
  });

  it('runs the task again with ctx.resumedWith, at the same try', async () => {
    const event = { state: 'succeeded', result: 's3://out' };
    expect(await finishedOf(attemptOf('defers_to_poll', { tryNumber: 2, resumedWith: event }))).toEqual({
      type: 'finished',
      outcome: 'success',
      returnValue: { resumedWith: event, tryNumber: 2 },
    });
  });

  it('keeps the deferral when the task catches its signal and returns', async () => {
    expect(await finishedOf(attemptOf('catches_the_deferral'))).toMatchObject({
      outcome: 'deferred',
      wait: { kind: 'timer', delayMs: 500 },
    });
  });

  it('fails the attempt with a message naming the problem for a wait it cannot defer to', async () => {
    expect(await finishedOf(attemptOf('defers_to_undeclared_poll'))).toMatchObject({
      outcome: 'failed',
      error: expect.stringContaining(
        'poll "nope" is not declared in DAG "deferral_fixture" (declared: "spark_job"); declare it in the DAG file with dag.poll(name, { every }, fn)',
      ),
    });
    expect(await finishedOf(attemptOf('defers_with_bad_timeout'))).toMatchObject({
      outcome: 'failed',
      error: expect.stringContaining('the timeout of ctx.defer() "soon" of the wait is not a duration'),
    });
    expect(await finishedOf(attemptOf('defers_without_a_wait'))).toMatchObject({
      outcome: 'failed',
      error: expect.stringContaining(
        "ctx.defer() needs a wait: timer('10m'), timer({ until }), or dag.waitFor(name, args)",
      ),
    });
  });
});
