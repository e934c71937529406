import type { JsonValue } from '@tidemark/core/task-process';
import { describe, expect, it } from 'vitest';
import { dag } from '../dag/dag.ts';
import type { PollContext } from '../dag/poll.ts';
import { ExternalJobFailedError, PatternOptionError, TaskDeferred } from '../errors.ts';
import { type BackendStateAnswerer, TASK, useBackendStateAnswerers } from './fixtures/backend-state-answerer.ts';
import { inProcessContext } from './fixtures/in-process-context.ts';
import { type JobRecord, type JobStatus, resumable, untilJobEnds } from './resumable.ts';

/** A job service in memory: counts submits and polls. */
function service(statuses: JobStatus<string>['state'][] = ['running']) {
  const calls = { submits: 0, polls: 0 };
  return {
    calls,
    options: {
      submit: async () => `j-${++calls.submits}`,
      poll: async (): Promise<JobStatus<string>> => {
        const state = statuses[Math.min(calls.polls++, statuses.length - 1)] ?? 'running';
        if (state === 'succeeded') return { state, result: 'rows: 42' };
        return state === 'failed' ? { state, reason: 'OOM' } : { state };
      },
    },
  };
}

const jobs = dag('deferrable_resumable');
const jobEnded = jobs.poll(
  'job_ended',
  { every: '1s' },
  untilJobEnds(async () => ({ state: 'running' }) as const),
);
const deferrable = { wait: (jobId: string) => jobEnded.wait({ jobId }), timeout: '2h' };

const record = async (answerer: BackendStateAnswerer) => (await answerer.value(TASK, 'job')) as JobRecord | undefined;
const decisionsLogged = (logs: readonly { message: string }[]) =>
  logs.flatMap((log) => /"metric":"resumable_decision","decision":"(\w+)"/.exec(log.message)?.[1] ?? []);

describe.concurrent('resumable in deferrable mode (SPEC §16)', () => {
  const openAnswerer = useBackendStateAnswerers();

  it('submits with the intent first, then defers to the poll of the job instead of polling', async () => {
    const answerer = await openAnswerer();
    const jobService = service();
    const { ctx, logs } = inProcessContext(answerer);
    const deferred = await resumable(ctx, { key: 'job', ...jobService.options, deferrable }).catch(
      (error: unknown) => error,
    );
    expect(deferred).toBeInstanceOf(TaskDeferred);
    expect(jobService.calls).toEqual({ submits: 1, polls: 0 });
    expect(await record(answerer)).toMatchObject({ job_id: 'j-1', status: 'running', submissions: 1 });
    expect(decisionsLogged(logs)).toEqual(['fresh_submit']);
    expect(logs.map((log) => log.message).join('\n')).toContain('job j-1 is running: deferring until it ends');
  });

  it('resumed with the end of the job: reads the result, records it, and submits nothing', async () => {
    const answerer = await openAnswerer();
    const jobService = service();
    await resumable(inProcessContext(answerer).ctx, { key: 'job', ...jobService.options, deferrable }).catch(() => {});
    const event: JsonValue = { state: 'succeeded', result: 'rows: 42', job_id: 'j-1' };
    const { ctx, logs } = inProcessContext(answerer, { attempt: { resumedWith: event } });
    const outcome = await resumable(ctx, { key: 'job', ...jobService.options, deferrable });
    expect(outcome).toEqual({ jobId: 'j-1', result: 'rows: 42', decision: 'already_done' });
    expect(jobService.calls).toEqual({ submits: 1, polls: 0 });
    expect(await record(answerer)).toMatchObject({ job_id: 'j-1', status: 'succeeded', submissions: 1 });
    expect(decisionsLogged(logs)).toEqual(['already_done']);

    const withResult = await resumable(inProcessContext(answerer, { attempt: { resumedWith: event } }).ctx, {
      key: 'job',
      ...jobService.options,
      deferrable,
      result: async (id) => `fetched ${id}`,
    });
    expect(withResult.result).toBe('fetched j-1');
  });

  it('resumed with a failed job: records it and throws, so the retry submits a new job', async () => {
    const answerer = await openAnswerer();
    const jobService = service();
    await resumable(inProcessContext(answerer).ctx, { key: 'job', ...jobService.options, deferrable }).catch(() => {});
    const event: JsonValue = { state: 'failed', reason: 'OOM', job_id: 'j-1' };
    const error = await resumable(inProcessContext(answerer, { attempt: { resumedWith: event } }).ctx, {
      key: 'job',
      ...jobService.options,
      deferrable,
    }).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(ExternalJobFailedError);
    expect(await record(answerer)).toMatchObject({ status: 'failed', reason: 'OOM' });

    const retry = inProcessContext(answerer, { attempt: { tryNumber: 2 } });
    await expect(resumable(retry.ctx, { key: 'job', ...jobService.options, deferrable })).rejects.toBeInstanceOf(
      TaskDeferred,
    );
    expect(decisionsLogged(retry.logs)).toEqual(['resubmit_after_failure']);
    expect(await record(answerer)).toMatchObject({ job_id: 'j-2', status: 'running', submissions: 2 });
  });

  it('a retry re-attaches: one poll, then it defers again; an event about another job is not trusted', async () => {
    const answerer = await openAnswerer();
    const jobService = service(['running']);
    await resumable(inProcessContext(answerer).ctx, { key: 'job', ...jobService.options, deferrable }).catch(() => {});
    const retry = inProcessContext(answerer, { attempt: { tryNumber: 2 } });
    await expect(resumable(retry.ctx, { key: 'job', ...jobService.options, deferrable })).rejects.toBeInstanceOf(
      TaskDeferred,
    );
    expect(decisionsLogged(retry.logs)).toEqual(['reattach']);
    expect(jobService.calls).toEqual({ submits: 1, polls: 1 });

    const stranger = inProcessContext(answerer, { attempt: { resumedWith: { state: 'succeeded', job_id: 'j-9' } } });
    await expect(resumable(stranger.ctx, { key: 'job', ...jobService.options, deferrable })).rejects.toBeInstanceOf(
      TaskDeferred,
    );
    expect(stranger.logs.map((log) => log.message).join('\n')).toContain('not the end of job j-1');
    expect(jobService.calls).toEqual({ submits: 1, polls: 2 });
  });

  it('untilJobEnds fires only once the job ended, with its status and id', async () => {
    const context = {} as PollContext;
    const statuses: JobStatus<number>[] = [{ state: 'running' }, { state: 'succeeded', result: 7 }];
    const poll = untilJobEnds(async () => statuses.shift() as JobStatus<number>);
    expect(await poll({ jobId: 'j-1' }, context)).toBeUndefined();
    expect(await poll({ jobId: 'j-1' }, context)).toEqual({ state: 'succeeded', result: 7, job_id: 'j-1' });
    await expect(untilJobEnds(async () => ({ done: true }) as never)({ jobId: 'j-2' }, context)).rejects.toThrow(
      'poll("j-2") returned {"done":true}; it must return { state: "running" | "succeeded" | "failed" }',
    );
  });

  it('refuses a deferrable option it cannot use', async () => {
    const { ctx } = inProcessContext(await openAnswerer());
    const bad = (value: unknown) => resumable(ctx, { key: 'job', ...service().options, deferrable: value as never });
    await expect(bad({ wait: 'job_ended' })).rejects.toThrow('deferrable: wait must be a function');
    await expect(bad({ ...deferrable, timeout: 'soon' })).rejects.toThrow('timeout must be a number of milliseconds');
    await expect(bad({ ...deferrable, every: '1s' })).rejects.toThrow(PatternOptionError);
  });
});
