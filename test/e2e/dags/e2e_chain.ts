import { dag } from '@tidemark/sdk';

/** Three tasks in a row; `transform` doubles what `extract` returned. */
const chain = dag('e2e_chain', { defaults: { retries: 0 } });
const extract = chain.task('extract', async () => 21);
const transform = chain.task('transform', async (ctx) => (await ctx.xcom.pull(extract)) * 2);
const load = chain.task('load', async (ctx) => ({ loaded: await ctx.xcom.pull(transform) }));
extract.then(transform).then(load);
export default chain;
