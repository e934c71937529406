import { dag } from '@tidemark/sdk';

/** `start` returns N items (conf.items, default 5); `each` is mapped over them; `end` counts. */
const wide = dag('e2e_wide', { defaults: { retries: 0 } });
const start = wide.task('start', async (ctx) =>
  Array.from({ length: Number((ctx.conf as { items?: number }).items ?? 5) }, (_, i) => i),
);
const each = wide.map('each', start, async (_ctx, item) => item * 10);
const end = wide.task('end', async (ctx) => (await ctx.xcom.pull(each)).length);
each.then(end);
export default wide;
