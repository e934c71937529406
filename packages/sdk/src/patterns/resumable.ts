import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { JsonValue } from '@tidemark/core/task-process';
import { NEVER_EXPIRE, type StateEntry } from '../context/state-accessor-core.ts';
import type { TaskContext } from '../context/task-context.ts';
import { countTaskMetric } from '../context/task-metrics.ts';
import type { PollFunction } from '../dag/poll.ts';
import type { Wait } from '../dag/wait.ts';
import { ExternalJobFailedError, PatternOptionError } from '../errors.ts';
import {
  checkContext,
  checkFunction,
  checkHelperKey,
  checkOptionsObject,
  positiveDurationMs,
  shown,
} from './pattern-options.ts';

/** What `poll` says about the external job. */
export type JobStatus<R> =
  | { readonly state: 'running'; readonly detail?: JsonValue }
  | { readonly state: 'succeeded'; readonly result?: R }
  | { readonly state: 'failed'; readonly reason?: string };

/** What `resumable` did about the job, logged as `resumable_decision` (SPEC §13). */
export type ResumableDecision = 'fresh_submit' | 'reattach' | 'already_done' | 'resubmit_after_failure';

/**
 * What to do with a job recorded before an operator cleared the task instance with
 * `keep_task_state: true` (a default clear discards the record, so the next try submits afresh).
 * `reattach` (default): treat the record as a retry would. `resubmit`: cancel the recorded job if
 * it is still running (when `cancel` is given) and submit a new one with a new idempotency key.
 */
export type ResumableOnClear = 'reattach' | 'resubmit';

export interface ResumableOptions<R extends JsonValue> {
  /** Task-state key holding the job record `{idempotency_key, job_id?, status, ...}` (kept NEVER_EXPIRE). */
  readonly key: string;
  /** Submits the job; an idempotent provider returns the same job for the same idempotency key. Returns its id. */
  readonly submit: (idempotencyKey: string) => Promise<string>;
  readonly poll: (jobId: string) => Promise<JobStatus<R>>;
  /** Fetches the result once the job succeeded; without it, the result `poll` gave is returned. */
  readonly result?: (jobId: string) => Promise<R>;
  /** Cancels a job; only called for `onClear: 'resubmit'` (never when the attempt is stopped). */
  readonly cancel?: (jobId: string) => Promise<void>;
  readonly onClear?: ResumableOnClear;
  /** Time between polls: milliseconds or a duration text ("30s"). Default 1 s. */
  readonly pollInterval?: number | string;
  /**
   * Deferrable mode (SPEC §16): instead of polling from the task process, the task defers to
   * `wait(jobId)` (a poll the DAG file declares, usually built with `untilJobEnds`) and frees its
   * worker slot; the triggerer polls the job, and the task runs again when the job ended, reading
   * the result from `ctx.resumedWith`. `timeout`: the try fails if the job has not ended by then.
   */
  readonly deferrable?: ResumableDeferrable;
}

export interface ResumableDeferrable {
  /** The wait for job `jobId`, e.g. `(jobId) => batchJob.wait({ jobId })`. */
  readonly wait: (jobId: string) => Wait;
  /** The deferred try fails (its retry policy applies) if the wait has not fired by then. */
  readonly timeout?: number | string;
}

/** What `untilJobEnds` fires with: the job's final status and its id. */
export type JobEnd<R> = Exclude<JobStatus<R>, { readonly state: 'running' }> & { readonly job_id: string };

/**
 * The poll function of a deferrable `resumable` (SPEC §16), for `dag.poll(name, { every }, …)`:
 * it calls `poll(jobId)` with the `jobId` of its arguments, returns nothing while the job runs, and
 * its final status (with `job_id`) once it ended, which the resumed task reads.
 */
export function untilJobEnds<R extends JsonValue = JsonValue>(
  poll: (jobId: string) => Promise<JobStatus<R>>,
): PollFunction<{ jobId: string }, JobEnd<R>> {
  return async ({ jobId }) => {
    const status = (await poll(jobId)) as JobStatus<R> | undefined;
    const state = (status as { state?: unknown } | undefined)?.state;
    if (state === 'running') return undefined;
    if (state !== 'succeeded' && state !== 'failed') {
      throw new PatternOptionError(
        `poll("${jobId}") returned ${shown(status)}; it must return { state: "running" | "succeeded" | "failed" }`,
      );
    }
    return { ...(status as Exclude<JobStatus<R>, { state: 'running' }>), job_id: jobId } as JobEnd<R>;
  };
}

export interface ResumableResult<R> {
  readonly jobId: string;
  readonly result: R | undefined;
  readonly decision: ResumableDecision;
}

/** The record under `key`; snake_case because people read it in the UI and API too. */
export type JobRecord = {
  readonly idempotency_key: string;
  readonly job_id?: string;
  /** `submitting`: intent written, submit not known to have returned. */
  readonly status: 'submitting' | 'running' | 'succeeded' | 'failed';
  /** How many jobs this record has started (1 + resubmissions after failures or clears). */
  readonly submissions: number;
  /** The TI's max tries when the intent was written; a clear raises it (clear detection for `onClear`). */
  readonly max_tries: number;
  readonly try_number: number;
  readonly submitted_at?: string;
  readonly finished_at?: string;
  readonly reason?: string;
};

const DEFAULT_POLL_INTERVAL_MS = 1_000;
const OPTION_NAMES = ['key', 'submit', 'poll', 'result', 'cancel', 'onClear', 'pollInterval', 'deferrable'] as const;

/**
 * The resumable external job pattern (SPEC §1.2, §13): the job's id is recorded in task state so
 * that a retry re-attaches to the job instead of submitting it again. Throws ExternalJobFailedError
 * when the job fails (the retry resubmits), and `ctx.signal.reason` when the attempt is stopped
 * while polling, leaving the job running for the next try.
 */
export async function resumable<R extends JsonValue = JsonValue>(
  ctx: TaskContext,
  options: ResumableOptions<R>,
): Promise<ResumableResult<R>> {
  const job = new ResumableJob<R>(ctx, options);
  return job.run();
}

class ResumableJob<R extends JsonValue> {
  readonly #ctx: TaskContext;
  readonly #options: ResumableOptions<R>;
  readonly #key: string;
  readonly #where: string;
  readonly #pollIntervalMs: number;
  #version = 0;

  constructor(ctx: TaskContext, options: ResumableOptions<R>) {
    checkContext('resumable(ctx, options)', ctx);
    const where = `resumable(${shown(typeof options?.key === 'string' ? options.key : '?')})`;
    checkOptionsObject(where, options, OPTION_NAMES);
    this.#key = checkHelperKey(where, options.key);
    checkFunction(where, 'submit', options.submit, true);
    checkFunction(where, 'poll', options.poll, true);
    checkFunction(where, 'result', options.result, false);
    checkFunction(where, 'cancel', options.cancel, false);
    if (options.onClear !== undefined && options.onClear !== 'reattach' && options.onClear !== 'resubmit') {
      throw new PatternOptionError(`${where}: onClear must be "reattach" or "resubmit", got ${shown(options.onClear)}`);
    }
    this.#pollIntervalMs =
      options.pollInterval === undefined
        ? DEFAULT_POLL_INTERVAL_MS
        : positiveDurationMs(where, 'pollInterval', options.pollInterval);
    checkDeferrable(where, options.deferrable);
    this.#ctx = ctx;
    this.#options = options;
    this.#where = where;
  }

  async run(): Promise<ResumableResult<R>> {
    if (this.#ctx.signal.aborted) throw this.#ctx.signal.reason;
    const entry = await this.#readRecord();
    const resumed = this.#options.deferrable ? this.#jobEndOf(this.#ctx.resumedWith, entry?.value) : undefined;
    if (entry !== undefined && resumed !== undefined) return this.#resumeAfterWait(entry.value, resumed);
    if (entry === undefined) return this.#submit('fresh_submit', this.#newIntent(1));
    const record = entry.value;
    const jobId = record.job_id;
    if (this.#clearedSince(record) && this.#options.onClear === 'resubmit') return this.#resubmitAfterClear(record);
    if (jobId === undefined) return this.#submitAgainWithSameKey(record);
    if (record.status === 'failed') return this.#resubmitAfterFailure(record, jobId, record.reason);
    return this.#reattach(record, jobId);
  }

  async #readRecord(): Promise<StateEntry<JobRecord> | undefined> {
    const entry = await this.#ctx.taskState.getEntry<JobRecord>(this.#key);
    if (entry === undefined) return undefined;
    const value = entry.value as Partial<JobRecord> | JsonValue;
    if (!isJobRecord(value)) {
      throw new PatternOptionError(
        `${this.#where}: task-state key "${this.#key}" holds ${shown(value)}, not a job record ` +
          '({idempotency_key, job_id?, status, ...}); use another key, or delete this one if it is left over',
      );
    }
    this.#version = entry.version;
    return entry as StateEntry<JobRecord>;
  }

  #newIntent(submissions: number): JobRecord {
    return {
      idempotency_key: randomUUID(),
      status: 'submitting',
      submissions,
      max_tries: this.#ctx.maxTries,
      try_number: this.#ctx.tryNumber,
    };
  }

  /** The intent exists but no job id: submit may or may not have reached the provider. */
  #submitAgainWithSameKey(record: JobRecord): Promise<ResumableResult<R>> {
    this.#logDecision(
      'fresh_submit',
      record,
      'intent without a job id: submitting again with the same idempotency key',
    );
    const intent: JobRecord = { ...record, max_tries: this.#ctx.maxTries, try_number: this.#ctx.tryNumber };
    return this.#submit('fresh_submit', intent, true);
  }

  async #resubmitAfterClear(record: JobRecord): Promise<ResumableResult<R>> {
    const jobId = record.job_id;
    const stillRunning =
      jobId !== undefined && record.status === 'running' && (await this.#pollOnce(jobId)).state === 'running';
    if (stillRunning && this.#options.cancel) {
      this.#ctx.log.info(`${this.#where}: the task was cleared since job ${jobId} started: cancelling it`, {
        key: this.#key,
        job_id: jobId,
      });
      await this.#options.cancel(jobId);
    }
    this.#logDecision('fresh_submit', record, 'the task was cleared (onClear "resubmit"): submitting a new job');
    return this.#submit('fresh_submit', this.#newIntent(record.submissions + 1), true);
  }

  #resubmitAfterFailure(record: JobRecord, jobId: string, reason: string | undefined): Promise<ResumableResult<R>> {
    this.#logDecision(
      'resubmit_after_failure',
      record,
      `job ${jobId} failed${reason === undefined ? '' : ` (${reason})`}: submitting a new job with a new idempotency key`,
    );
    return this.#submit('resubmit_after_failure', this.#newIntent(record.submissions + 1), true);
  }

  async #reattach(record: JobRecord, jobId: string): Promise<ResumableResult<R>> {
    const status = await this.#pollOnce(jobId);
    if (status.state === 'failed') {
      await this.#recordFinished(record, 'failed', status.reason);
      return this.#resubmitAfterFailure(record, jobId, status.reason);
    }
    if (status.state === 'succeeded') {
      this.#logDecision('already_done', record, `job ${jobId} already succeeded: not submitting it again`);
      if (record.status !== 'succeeded') await this.#recordFinished(record, 'succeeded');
      return { jobId, result: await this.#resultOf(jobId, status.result), decision: 'already_done' };
    }
    this.#logDecision('reattach', record, `re-attaching to job ${jobId} instead of submitting it again`);
    return this.#watch(record, jobId, 'reattach');
  }

  /** Writes the intent, submits, records the id, then watches the job. */
  async #submit(decision: ResumableDecision, intent: JobRecord, logged = false): Promise<ResumableResult<R>> {
    if (!logged) this.#logDecision(decision, intent, 'no job recorded: submitting a new job');
    await this.#write(intent);
    const jobId = await this.#options.submit(intent.idempotency_key);
    if (typeof jobId !== 'string' || jobId === '') {
      throw new PatternOptionError(
        `${this.#where}: submit must return the job id as a non-empty string, got ${shown(jobId)}`,
      );
    }
    const submitted: JobRecord = {
      ...intent,
      job_id: jobId,
      status: 'running',
      submitted_at: new Date().toISOString(),
    };
    await this.#write(submitted);
    this.#ctx.log.info(`${this.#where}: submitted job ${jobId}`, {
      key: this.#key,
      job_id: jobId,
      idempotency_key: intent.idempotency_key,
    });
    return this.#watch(submitted, jobId, decision);
  }

  async #watch(record: JobRecord, jobId: string, decision: ResumableDecision): Promise<ResumableResult<R>> {
    const deferrable = this.#options.deferrable;
    if (deferrable) {
      this.#ctx.log.info(
        `${this.#where}: job ${jobId} is running: deferring until it ends (the worker slot is free meanwhile)`,
        { key: this.#key, job_id: jobId },
      );
      return this.#ctx.defer(
        deferrable.wait(jobId),
        deferrable.timeout === undefined ? {} : { timeout: deferrable.timeout },
      );
    }
    for (;;) {
      await this.#waitBeforePoll(jobId);
      const status = await this.#pollOnce(jobId);
      if (status.state === 'succeeded') {
        await this.#recordFinished(record, 'succeeded');
        this.#ctx.log.info(`${this.#where}: job ${jobId} succeeded`, { key: this.#key, job_id: jobId });
        return { jobId, result: await this.#resultOf(jobId, status.result), decision };
      }
      if (status.state === 'failed') {
        await this.#recordFinished(record, 'failed', status.reason);
        throw new ExternalJobFailedError(this.#key, jobId, status.reason);
      }
    }
  }

  /** Sleeps one poll interval. A stopped attempt stops watching and leaves the job running for the next try. */
  async #waitBeforePoll(jobId: string): Promise<void> {
    const signal = this.#ctx.signal;
    try {
      if (!signal.aborted) await sleep(this.#pollIntervalMs, undefined, { signal });
    } catch {
      // the abort is handled below
    }
    if (!signal.aborted) return;
    this.#ctx.log.warn(
      `${this.#where}: the attempt is being stopped: no longer watching job ${jobId}; ` +
        'it keeps running and the next try re-attaches to it',
      { key: this.#key, job_id: jobId },
    );
    throw signal.reason;
  }

  /**
   * The task resumed after its wait fired with the job's end (deferrable mode): the job is not
   * polled again from here; its recorded status follows the event.
   */
  async #resumeAfterWait(record: JobRecord, end: JobEnd<R>): Promise<ResumableResult<R>> {
    const jobId = end.job_id;
    if (end.state === 'failed') {
      if (record.status !== 'failed') await this.#recordFinished(record, 'failed', end.reason);
      throw new ExternalJobFailedError(this.#key, jobId, end.reason);
    }
    this.#logDecision('already_done', record, `job ${jobId} ended while the task was deferred: reading its result`);
    if (record.status !== 'succeeded') await this.#recordFinished(record, 'succeeded');
    return { jobId, result: await this.#resultOf(jobId, end.result), decision: 'already_done' };
  }

  /** The job's end from the wait's event, if it is about the job recorded now; else undefined (poll it). */
  #jobEndOf(event: JsonValue | undefined, record: JobRecord | undefined): JobEnd<R> | undefined {
    if (event === undefined || record?.job_id === undefined) return undefined;
    const end = event as Partial<JobEnd<R>> | null;
    const known = typeof end === 'object' && end !== null && (end.state === 'succeeded' || end.state === 'failed');
    if (!known || end.job_id !== record.job_id) {
      this.#ctx.log.warn(
        `${this.#where}: resumed with ${shown(event)}, not the end of job ${record.job_id} ` +
          '(declare the poll with untilJobEnds(poll)); polling the job instead',
        { key: this.#key, job_id: record.job_id },
      );
      return undefined;
    }
    return end as JobEnd<R>;
  }

  async #pollOnce(jobId: string): Promise<JobStatus<R>> {
    const status = (await this.#options.poll(jobId)) as JobStatus<R> | undefined;
    const state = (status as { state?: unknown } | undefined)?.state;
    if (state !== 'running' && state !== 'succeeded' && state !== 'failed') {
      throw new PatternOptionError(
        `${this.#where}: poll("${jobId}") returned ${shown(status)}; it must return { state: "running" | "succeeded" | "failed" }`,
      );
    }
    return status as JobStatus<R>;
  }

  async #resultOf(jobId: string, polled: R | undefined): Promise<R | undefined> {
    return this.#options.result ? await this.#options.result(jobId) : polled;
  }

  async #recordFinished(record: JobRecord, status: 'succeeded' | 'failed', reason?: string): Promise<void> {
    await this.#write({
      ...record,
      status,
      finished_at: new Date().toISOString(),
      ...(reason === undefined ? {} : { reason }),
    });
  }

  /** Each write is compare-and-set against the version this helper last saw (0: only if absent). */
  async #write(record: JobRecord): Promise<void> {
    const { version } = await this.#ctx.taskState.set(this.#key, record, {
      retention: NEVER_EXPIRE,
      ifVersion: this.#version,
    });
    this.#version = version;
  }

  #clearedSince(record: JobRecord): boolean {
    return record.max_tries !== this.#ctx.maxTries && record.try_number < this.#ctx.tryNumber;
  }

  #logDecision(decision: ResumableDecision, record: JobRecord, what: string): void {
    countTaskMetric(this.#ctx, { name: 'resumable_decision', decision });
    this.#ctx.log.info(`${this.#where}: ${decision}: ${what}`, {
      metric: 'resumable_decision',
      decision,
      key: this.#key,
      idempotency_key: record.idempotency_key,
      ...(record.job_id === undefined ? {} : { job_id: record.job_id }),
      try_number: this.#ctx.tryNumber,
    });
  }
}

function checkDeferrable(where: string, deferrable: unknown): void {
  if (deferrable === undefined) return;
  checkOptionsObject(`${where}: deferrable`, deferrable, ['wait', 'timeout']);
  checkFunction(`${where}: deferrable`, 'wait', (deferrable as ResumableDeferrable).wait, true);
  const timeout = (deferrable as ResumableDeferrable).timeout;
  if (timeout !== undefined) positiveDurationMs(`${where}: deferrable`, 'timeout', timeout);
}

function isJobRecord(value: unknown): value is JobRecord {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const record = value as Record<string, unknown>;
  return (
    typeof record.idempotency_key === 'string' &&
    (record.job_id === undefined || typeof record.job_id === 'string') &&
    ['submitting', 'running', 'succeeded', 'failed'].includes(record.status as string)
  );
}
