import { dag } from '@tidemark/sdk';

/**
 * `set_many` times `conf.count` task-state writes from task code (child → supervisor → execution
 * API → database) and returns each one's milliseconds.
 */
const stateSet = dag('bench_state_set', { defaults: { retries: 0 } });
stateSet.task('set_many', async (ctx) => {
  const count = Number(ctx.conf.count ?? 1_000);
  const latencies: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    await ctx.taskState.set('cursor', { page: i, cursor: '2026-01-01T00:00:00Z' });
    latencies.push(Math.round((performance.now() - started) * 1_000) / 1_000);
  }
  return latencies;
});
export default stateSet;
