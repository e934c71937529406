import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AttemptSpec, JsonValue } from '@tidemark/core/task-process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExternalJobFailedError } from '../errors.ts';
import { TestSupervisor } from '../runner/fixtures/test-supervisor.ts';
import { type BackendStateAnswerer, TASK, useBackendStateAnswerers } from './fixtures/backend-state-answerer.ts';
import { FakeJobService } from './fixtures/fake-job-service.ts';
import { inProcessContext } from './fixtures/in-process-context.ts';
import { type JobRecord, resumable } from './resumable.ts';

const PATTERNS_DAG_FILE = fileURLToPath(new URL('./fixtures/patterns-dag.ts', import.meta.url));
let folder: string;
let serviceCount = 0;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'tidemark-resumable-'));
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

function newService(options: Parameters<typeof FakeJobService.create>[1] = {}): FakeJobService {
  const file = join(folder, `jobs-${++serviceCount}.json`);
  FakeJobService.create(file, options);
  return new FakeJobService(file);
}

function attemptOf(tryNumber: number, conf: Record<string, JsonValue>, maxTries = 4): AttemptSpec {
  return {
    dagId: 'patterns_fixture',
    runId: 'manual__2026-01-01T00:00:00Z',
    taskId: 'external_job',
    mapIndex: -1,
    tryNumber,
    maxTries,
    dagFile: PATTERNS_DAG_FILE,
    conf,
    logicalDate: null,
  };
}

async function runTry(answerer: BackendStateAnswerer, attempt: AttemptSpec) {
  const result = await new TestSupervisor(attempt, answerer.answer).result;
  return { ...result, finished: result.finished[0] };
}

const record = async (answerer: BackendStateAnswerer) => (await answerer.value(TASK, 'job')) as JobRecord | undefined;
const decisionsLogged = (logs: readonly { message: string }[]) =>
  logs.flatMap((log) => /"metric":"resumable_decision","decision":"(\w+)"/.exec(log.message)?.[1] ?? []);

describe.concurrent('resumable in a task process', () => {
  const openAnswerer = useBackendStateAnswerers();

  it('fresh submit: the intent is written before submit, the id right after, both NEVER_EXPIRE', async () => {
    const answerer = await openAnswerer();
    const service = newService();
    const { finished, logs } = await runTry(answerer, attemptOf(1, { jobsFile: service.file }));
    expect(finished).toMatchObject({
      outcome: 'success',
      returnValue: { jobId: 'job-1', result: 'output of job-1', decision: 'fresh_submit' },
    });
    const sets = answerer.setsOf('job');
    expect(sets[0]).toMatchObject({ ifVersion: 0, retention: 'NEVER_EXPIRE', value: { status: 'submitting' } });
    const intent = sets[0]?.value as JobRecord;
    expect(intent.job_id).toBeUndefined();
    expect(sets[1]).toMatchObject({
      ifVersion: 1,
      retention: 'NEVER_EXPIRE',
      value: { job_id: 'job-1', status: 'running' },
    });
    expect(service.read().submitCalls).toEqual([{ idempotency_key: intent.idempotency_key, returned: 'job-1' }]);
    expect(await record(answerer)).toMatchObject({ job_id: 'job-1', status: 'succeeded', submissions: 1 });
    expect(decisionsLogged(logs)).toEqual(['fresh_submit']);
  });

  it('reattach: a retry after the worker died mid-poll watches the same job instead of submitting', async () => {
    const answerer = await openAnswerer();
    const service = newService({ pollsToFinish: 3 });
    const conf = { jobsFile: service.file, killOnFirstPoll: true };
    const first = await runTry(answerer, attemptOf(1, conf));
    expect(first.exitSignal).toBe('SIGKILL');
    expect(await record(answerer)).toMatchObject({ job_id: 'job-1', status: 'running' });
    const second = await runTry(answerer, attemptOf(2, conf));
    expect(second.finished).toMatchObject({
      outcome: 'success',
      returnValue: { jobId: 'job-1', decision: 'reattach' },
    });
    expect(service.read().submitCalls).toHaveLength(1);
    expect(service.read().jobs).toHaveLength(1);
    expect(decisionsLogged(second.logs)).toEqual(['reattach']);
  });

  it('an intent without an id: the retry submits with the same idempotency key and gets the same job', async () => {
    const answerer = await openAnswerer();
    const service = newService();
    const conf = { jobsFile: service.file, killInSubmit: true };
    const first = await runTry(answerer, attemptOf(1, conf));
    expect(first.exitSignal).toBe('SIGKILL');
    const intent = (await record(answerer)) as JobRecord;
    expect(intent).toMatchObject({ status: 'submitting' });
    expect(intent.job_id).toBeUndefined();
    const second = await runTry(answerer, attemptOf(2, conf));
    expect(second.finished).toMatchObject({
      outcome: 'success',
      returnValue: { jobId: 'job-1', decision: 'fresh_submit' },
    });
    expect(service.read().submitCalls.map((call) => call.idempotency_key)).toEqual([
      intent.idempotency_key,
      intent.idempotency_key,
    ]);
    expect(service.read().jobs).toHaveLength(1);
    expect(second.logs).toContainEqual(
      expect.objectContaining({ message: expect.stringContaining('submitting again with the same idempotency key') }),
    );
  });

  it('a terminal failure fails the try; the retry resubmits with a new idempotency key', async () => {
    const answerer = await openAnswerer();
    const service = newService({ outcomes: ['failed', 'succeeded'] });
    const first = await runTry(answerer, attemptOf(1, { jobsFile: service.file }));
    expect(first.finished).toMatchObject({
      outcome: 'failed',
      retryable: true,
      error: expect.stringContaining('external job job-1 (resumable "job") failed: job-1 ran out of memory'),
    });
    expect(await record(answerer)).toMatchObject({
      job_id: 'job-1',
      status: 'failed',
      reason: 'job-1 ran out of memory',
    });
    const second = await runTry(answerer, attemptOf(2, { jobsFile: service.file }));
    expect(second.finished).toMatchObject({
      outcome: 'success',
      returnValue: { jobId: 'job-2', decision: 'resubmit_after_failure' },
    });
    const [firstJob, secondJob] = service.read().jobs;
    expect(firstJob?.idempotency_key).not.toBe(secondJob?.idempotency_key);
    expect(await record(answerer)).toMatchObject({ job_id: 'job-2', status: 'succeeded', submissions: 2 });
  });

  it('already done: a retry after the job succeeded returns its result without submitting', async () => {
    const answerer = await openAnswerer();
    const service = newService();
    const conf = { jobsFile: service.file, throwAfter: true };
    expect((await runTry(answerer, attemptOf(1, conf))).finished).toMatchObject({ outcome: 'failed' });
    const second = await runTry(answerer, attemptOf(2, conf));
    expect(second.finished).toMatchObject({
      outcome: 'success',
      returnValue: { jobId: 'job-1', result: 'output of job-1', decision: 'already_done' },
    });
    expect(service.read().submitCalls).toHaveLength(1);
  });

  it('SIGTERM while polling stops watching without cancelling; the next try re-attaches', async () => {
    const answerer = await openAnswerer();
    const service = newService({ pollsToFinish: 2 });
    const conf = { jobsFile: service.file, pollInterval: '1h' };
    const supervisor = new TestSupervisor(attemptOf(1, conf), answerer.answer);
    await supervisor.waitForLog((log) => log.message.includes('submitted job job-1'));
    supervisor.child.kill('SIGTERM');
    const result = await supervisor.result;
    expect(result.finished).toEqual([
      expect.objectContaining({
        outcome: 'failed',
        retryable: true,
        error: expect.stringMatching(/^TaskTerminatedError/),
      }),
    ]);
    expect(result.logs).toContainEqual(
      expect.objectContaining({ level: 'warn', message: expect.stringContaining('it keeps running and the next try') }),
    );
    expect(service.read().jobs[0]).toMatchObject({ cancelled: false, polls: 0 });
    const second = await runTry(answerer, attemptOf(2, { jobsFile: service.file }));
    expect(second.finished).toMatchObject({
      outcome: 'success',
      returnValue: { jobId: 'job-1', decision: 'reattach' },
    });
    expect(service.read().submitCalls).toHaveLength(1);
  });

  it('onClear "resubmit": after a clear that kept task state, cancels the running job and submits anew', async () => {
    const answerer = await openAnswerer();
    const service = newService({ pollsToFinish: 5 });
    const conf = { jobsFile: service.file, killOnFirstPoll: true, onClear: 'resubmit' };
    await runTry(answerer, attemptOf(1, conf));
    // A clear gives the TI its tries again: max_tries = try_number + retries + 1.
    const afterClear = await runTry(answerer, attemptOf(2, { ...conf, pollInterval: 1 }, 6));
    expect(afterClear.finished).toMatchObject({
      outcome: 'success',
      returnValue: { jobId: 'job-2', decision: 'fresh_submit' },
    });
    expect(service.read().jobs.map((job) => job.cancelled)).toEqual([true, false]);
  });

  it('onClear "reattach" (default) treats a kept record like a retry would', async () => {
    const answerer = await openAnswerer();
    const service = newService({ pollsToFinish: 3 });
    const conf = { jobsFile: service.file, killOnFirstPoll: true };
    await runTry(answerer, attemptOf(1, conf));
    const afterClear = await runTry(answerer, attemptOf(2, conf, 6));
    expect(afterClear.finished).toMatchObject({ returnValue: { jobId: 'job-1', decision: 'reattach' } });
    expect(service.read().jobs[0]?.cancelled).toBe(false);
  });
});

describe('resumable (in process)', () => {
  const openAnswerer = useBackendStateAnswerers();

  const fine = {
    key: 'job',
    submit: async () => 'j-1',
    poll: async () => ({ state: 'succeeded' as const, result: 1 }),
  };

  it('refuses bad options before any request', async () => {
    const answerer = await openAnswerer();
    const { ctx } = inProcessContext(answerer);
    const bad = (options: unknown) => resumable(ctx, options as never);
    await expect(bad({ ...fine, key: undefined })).rejects.toThrow('resumable("?") needs a key');
    await expect(bad({ ...fine, submit: 'x' })).rejects.toThrow('submit must be a function (it is required), got "x"');
    await expect(bad({ key: 'job', submit: fine.submit })).rejects.toThrow('poll must be a function (it is required)');
    await expect(bad({ ...fine, onClear: 'cancel' })).rejects.toThrow('onClear must be "reattach" or "resubmit"');
    await expect(bad({ ...fine, pollInterval: -1 })).rejects.toThrow(
      'pollInterval must be a number of milliseconds > 0',
    );
    await expect(bad({ ...fine, retries: 3 })).rejects.toThrow('has no option "retries"');
    expect(answerer.requests).toEqual([]);
  });

  it('refuses what submit and poll must not return, and a key holding something else', async () => {
    const answerer = await openAnswerer();
    const { ctx } = inProcessContext(answerer);
    await expect(resumable(ctx, { ...fine, submit: async () => 42 as never })).rejects.toThrow(
      'submit must return the job id as a non-empty string, got 42',
    );
    const other = await openAnswerer();
    const context = inProcessContext(other).ctx;
    await expect(
      resumable(context, { ...fine, pollInterval: 1, poll: async () => ({ status: 'done' }) as never }),
    ).rejects.toThrow(
      'poll("j-1") returned {"status":"done"}; it must return { state: "running" | "succeeded" | "failed" }',
    );
    const taken = await openAnswerer();
    await taken.put(TASK, 'job', 'spark-123');
    await expect(resumable(inProcessContext(taken).ctx, fine)).rejects.toThrow(
      'task-state key "job" holds "spark-123", not a job record',
    );
  });

  it('submits nothing when the attempt is already being stopped', async () => {
    const answerer = await openAnswerer();
    const { ctx, abort } = inProcessContext(answerer);
    const reason = new Error('stopping');
    abort(reason);
    let submitted = 0;
    await expect(resumable(ctx, { ...fine, submit: async () => `j-${++submitted}` })).rejects.toBe(reason);
    expect(submitted).toBe(0);
    expect(answerer.requests).toEqual([]);
  });

  it('uses result() for the result once the job succeeded', async () => {
    const answerer = await openAnswerer();
    const { ctx } = inProcessContext(answerer);
    const outcome = await resumable<string>(ctx, {
      ...fine,
      poll: async () => ({ state: 'succeeded' }),
      pollInterval: 1,
      result: async (id) => `fetched ${id}`,
    });
    expect(outcome).toEqual({ jobId: 'j-1', result: 'fetched j-1', decision: 'fresh_submit' });
  });

  it('throws ExternalJobFailedError naming the job and the reason', async () => {
    const { ctx } = inProcessContext(await openAnswerer());
    const error = await resumable(ctx, {
      ...fine,
      pollInterval: 1,
      poll: async () => ({ state: 'failed' as const, reason: 'quota' }),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExternalJobFailedError);
    expect(error).toMatchObject({ code: 'external_job_failed', jobId: 'j-1', reason: 'quota' });
  });
});
