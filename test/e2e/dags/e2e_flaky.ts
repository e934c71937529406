import { dag } from '@tidemark/sdk';

/**
 * Fails its first two tries, each after pushing an XCom `attempt_marker`; succeeds on the third.
 * XCom belongs to a try, so none of those markers may survive into the successful run.
 */
const flaky = dag('e2e_flaky', { defaults: { retries: 2, retryDelay: 100 } });
flaky.task('flaky', async (ctx) => {
  if (ctx.tryNumber < 3) {
    await ctx.xcom.push('attempt_marker', { tryNumber: ctx.tryNumber });
    throw new Error(`planned failure on try ${ctx.tryNumber}`);
  }
  return { succeededOnTry: ctx.tryNumber };
});
export default flaky;
