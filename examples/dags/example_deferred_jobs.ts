import { resolve } from 'node:path';
import { dag, FailTask, resumable, untilJobEnds } from '@tidemark/sdk';
import { FakeBatchService } from '../fake-batch-service/fake-batch-service.ts';

/**
 * Deferral (SPEC §16): many long external jobs driven by a few worker slots. `plan` lists
 * `conf.jobs` jobs (default 10); `run_job` is mapped over them. Each one submits its job with
 * `resumable` in deferrable mode — intent and job id in task state, as in `example_resumable_job` —
 * and then defers: its process ends, its task instance waits as `deferred` without a worker slot,
 * and the triggerer polls the job every second with the DAG file's `job_ended` poll. When the job
 * ends the task runs again, on the same try, and reads the result from the event. `report` sums up.
 *
 * With `worker.parallelism: 2` all the jobs still run at once. Kill anything at any time (the
 * worker, the triggerer, all of `standalone`): every job is submitted once; `report` says so.
 */
interface Conf {
  readonly jobs?: unknown;
  readonly job_seconds?: unknown;
}

const deferredJobs = dag('example_deferred_jobs', {
  description: 'Drives many long external jobs from two worker slots: each task defers while its job runs',
  schedule: null, // triggered by hand only
  tags: ['example', 'pattern', 'deferral'],
  defaults: { retries: 3, retryDelay: '1s' },
});

const jobEnded = deferredJobs.poll(
  'job_ended',
  { every: '1s' },
  untilJobEnds((jobId) => batchService().poll(jobId)),
);

const plan = deferredJobs.task('plan', (ctx) => {
  const jobs = positiveNumber(ctx.conf as Conf, 'jobs', 10);
  return Array.from({ length: jobs }, (_, index) => `part-${index}`);
});

const runJob = deferredJobs.map('run_job', plan, async (ctx, part: string) => {
  const seconds = positiveNumber(ctx.conf as Conf, 'job_seconds', 15);
  const service = batchService();
  const job = await resumable(ctx, {
    key: 'batch_job',
    submit: (idempotencyKey) => service.submit({ idempotencyKey, label: `${ctx.runId}/${part}`, seconds }),
    poll: (jobId) => service.poll(jobId),
    result: (jobId) => service.result(jobId),
    deferrable: { wait: (jobId) => jobEnded.wait({ jobId }), timeout: '1h' },
  });
  ctx.log.info(`job ${job.jobId} for ${part} finished (${job.decision})`);
  return { part, job_id: job.jobId, submissions: service.submissions(`${ctx.runId}/${part}`).length };
});

const report = deferredJobs.task('report', async (ctx) => {
  const parts = await ctx.xcom.pull(runJob);
  const submittedTwice = parts.filter((part) => part.submissions !== 1).map((part) => part.part);
  ctx.log.info(`${parts.length} jobs done; submitted more than once: ${submittedTwice.join(', ') || 'none'}`);
  return { jobs: parts.length, submitted_twice: submittedTwice };
});
runJob.then(report);

function positiveNumber(conf: Conf, name: keyof Conf, fallback: number): number {
  const value = conf[name] ?? fallback;
  if (typeof value !== 'number' || !(value > 0)) {
    throw new FailTask(`conf.${name} must be a number > 0, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** The task process inherits the worker's environment, and the triggerer's watcher process too. */
function batchService(): FakeBatchService {
  return new FakeBatchService(resolve(process.env.TIDEMARK_HOME || '.tidemark'));
}

export default deferredJobs;
