import { checkpoint, dag, resumable } from '@tidemark/sdk';

/** For the observability test: exact state writes, then the pattern helpers' metric events. */
export const writes = dag('e2e_observed_writes');
writes.task('writer', async (ctx) => {
  for (let index = 0; index < 7; index++) await ctx.taskState.set(`k${index}`, index);
  return { traceParent: ctx.traceParent ?? null };
});

export const patterns = dag('e2e_observed_patterns');
patterns.task('patterns', async (ctx) => {
  const job = await resumable<string>(ctx, {
    key: 'job',
    submit: async () => 'job-1',
    poll: async () => ({ state: 'succeeded', result: 'done' }),
  });
  const items = checkpoint(ctx, { key: 'items', every: { items: 5 } });
  let seen = 0;
  for await (const _item of items.over(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'])) seen++;
  return { decision: job.decision, seen };
});
