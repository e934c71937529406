import { asset, checkpoint, dag, resumable, watermark } from '@tidemark/sdk';
import { FakeJobService } from '../../../packages/sdk/src/patterns/fixtures/fake-job-service.ts';

/**
 * Each pattern helper through the real worker, execution API and database. Every task fails its
 * first try in the way its pattern exists for, and the second try resumes:
 * `checkpointed` throws at item 120 of 300, `external_job` loses its task process (SIGKILL) while
 * polling the job it submitted, `load_orders` fails after committing its watermark.
 */
const patterns = dag('patterns_helpers', { defaults: { retries: 1, retryDelay: 100 } });
export const patternsOrders = asset('patterns_orders');

patterns.task('checkpointed', async (ctx) => {
  const ids = Array.from({ length: 300 }, (_, i) => `file-${String(i).padStart(4, '0')}.csv`);
  const files = checkpoint(ctx, { key: 'files', every: { items: 50, ms: 1_000 } });
  let processed = 0;
  for await (const id of files.over(ids)) {
    if (ctx.tryNumber === 1 && id === 'file-0120.csv') throw new Error(`planned failure at ${id}`);
    processed++;
  }
  return { skipped: files.skipped, processed, done: files.done };
});

patterns.task('external_job', async (ctx) => {
  const service = new FakeJobService(String(ctx.conf.jobs_file));
  const outcome = await resumable<string>(ctx, {
    key: 'job',
    pollInterval: 50,
    submit: async (idempotencyKey) => service.submit(idempotencyKey),
    poll: async (jobId) => {
      if (ctx.tryNumber === 1) process.kill(process.pid, 'SIGKILL');
      return service.poll(jobId);
    },
  });
  return { jobId: outcome.jobId, decision: outcome.decision, result: outcome.result ?? null };
});

patterns.task(
  'load_orders',
  async (ctx) => {
    const loadedUntil = watermark(ctx, patternsOrders, { key: 'loaded_until', initial: '1970-01-01T00:00:00Z' });
    const from = await loadedUntil.read();
    await loadedUntil.commit(String(ctx.conf.until));
    if (ctx.tryNumber === 1) throw new Error('planned failure after the commit');
    return { from };
  },
  { outlets: [patternsOrders] },
);

export default patterns;
