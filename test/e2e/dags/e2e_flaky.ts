import { dag } from '@tidemark/sdk';

/** Fails its first two tries (after pushing an XCom-like return never), succeeds on the third. */
const flaky = dag('e2e_flaky', { defaults: { retries: 2, retryDelay: 100 } });
flaky.task('flaky', async (ctx) => {
  if (ctx.tryNumber < 3) throw new Error(`planned failure on try ${ctx.tryNumber}`);
  return { succeededOnTry: ctx.tryNumber };
});
export default flaky;
