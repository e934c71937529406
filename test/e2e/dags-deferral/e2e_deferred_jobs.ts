import { appendFileSync, closeSync, mkdirSync, openSync, unlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { dag, resumable, untilJobEnds } from '@tidemark/sdk';
import { TimedJobService } from '../support/timed-job-service.ts';

/**
 * SPEC §16 end to end: `list` returns `conf.count` items; `run_job` is mapped over them, and each
 * submits a job of `conf.job_seconds` to a job service with `resumable` in deferrable mode, then
 * defers until the triggerer sees the job end. While its code runs, each try holds a slot file
 * (created with O_EXCL, the lowest free number): the test reads the slot numbers taken to know how
 * many ran at once.
 */
interface Conf {
  readonly count?: number;
  readonly job_seconds?: number;
}

const home = () => resolve(process.env.TIDEMARK_HOME || '.tidemark');
const service = () => new TimedJobService(join(home(), 'timed-jobs'));

const jobs = dag('e2e_deferred_jobs', { defaults: { retries: 4, retryDelay: 0 } });
const jobEnded = jobs.poll(
  'job_ended',
  { every: '250ms' },
  untilJobEnds(async (jobId) => service().poll(jobId)),
);

const list = jobs.task('list', (ctx) => Array.from({ length: (ctx.conf as Conf).count ?? 3 }, (_, index) => index));

jobs.map('run_job', list, async (ctx) => {
  const release = takeSlot(join(home(), 'slots'));
  try {
    const label = `${ctx.runId}/${ctx.mapIndex}`;
    const seconds = (ctx.conf as Conf).job_seconds ?? 1;
    const job = await resumable(ctx, {
      key: 'job',
      submit: async (idempotencyKey) => service().submit({ idempotencyKey, label, seconds }),
      poll: async (jobId) => service().poll(jobId),
      deferrable: { wait: (jobId) => jobEnded.wait({ jobId }), timeout: '5m' },
    });
    return { job_id: job.jobId, result: job.result ?? null, try_number: ctx.tryNumber };
  } finally {
    release();
  }
});

/** Takes the lowest free slot number (O_EXCL create) and logs it; returns its release. */
function takeSlot(folder: string): () => void {
  mkdirSync(folder, { recursive: true });
  for (let slot = 0; ; slot++) {
    const file = join(folder, `slot-${slot}`);
    try {
      closeSync(openSync(file, 'wx'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw error;
    }
    appendFileSync(join(folder, 'taken.log'), `${slot}\n`);
    return () => unlinkSync(file);
  }
}

export default jobs;
