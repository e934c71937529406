import { resolve } from 'node:path';
import { dag, FailTask, resumable } from '@tidemark/sdk';
import { FakeBatchService } from '../fake-batch-service/fake-batch-service.ts';

/**
 * The resumable external job (SPEC §1, pattern 2). `run_job` submits a job of `conf.job_seconds`
 * seconds (default 30) to a batch service and waits for it. `resumable` writes the job's
 * idempotency key to task state before submitting and the job id after, so when the worker dies
 * the retry re-attaches to the running job instead of submitting a second one.
 *
 * The batch service is a local fake (examples/fake-batch-service): each job runs in a detached
 * process of its own, under `<TIDEMARK_HOME>/fake-batch`, so it outlives a killed worker the way a
 * job on a real cluster would. It also counts the submissions it accepted, which is what the
 * return value reports: `{job_id, submissions, result}`, with `submissions` 1 however often the
 * worker was killed.
 *
 * `conf.submit_latency_ms` (default 0) makes the service answer a submit that late after accepting
 * it. Kill the task in that gap and the retry finds only the idempotency key in task state: it
 * submits again with the same key, and the service answers with the job it already runs.
 */
const resumableJob = dag('example_resumable_job', {
  description: 'Drives a long external job that survives worker crashes without being submitted twice',
  schedule: null, // triggered by hand only
  tags: ['example', 'pattern'],
  defaults: { retries: 3, retryDelay: '1s' },
});

resumableJob.task('run_job', async (ctx) => {
  const seconds = ctx.conf.job_seconds ?? 30;
  if (typeof seconds !== 'number' || !(seconds > 0)) {
    throw new FailTask(`conf.job_seconds must be a number of seconds > 0, got ${JSON.stringify(seconds)}`);
  }
  const submitLatencyMs = ctx.conf.submit_latency_ms ?? 0;
  if (typeof submitLatencyMs !== 'number' || !(submitLatencyMs >= 0)) {
    throw new FailTask(`conf.submit_latency_ms must be a number ≥ 0, got ${JSON.stringify(submitLatencyMs)}`);
  }
  const service = new FakeBatchService(tidemarkHome(), { submitLatencyMs });
  const label = `${ctx.dagId}/${ctx.runId}/${ctx.taskId}`; // lets the service count this task's submissions

  const job = await resumable(ctx, {
    key: 'batch_job',
    submit: (idempotencyKey) => service.submit({ idempotencyKey, label, seconds }),
    poll: (jobId) => service.poll(jobId),
    result: (jobId) => service.result(jobId),
    pollInterval: '500ms',
  });

  ctx.log.info(`job ${job.jobId} finished (${job.decision})`, { result: job.result ?? null });
  return { job_id: job.jobId, submissions: service.submissions(label).length, result: job.result ?? null };
});

/** The task process inherits the worker's environment and working folder, so this is the worker's home. */
function tidemarkHome(): string {
  return resolve(process.env.TIDEMARK_HOME || '.tidemark');
}

export default resumableJob;
