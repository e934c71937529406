import { dag, ValueTooLargeError } from '@tidemark/sdk';

/**
 * `counter` counts its executions in task state and returns the count: a retry sees the count of
 * the failed try, a clear starts again from nothing unless it keeps task state. With
 * `conf.big_bytes` it also tries to store a value that large and returns the refusal.
 */
const stateful = dag('e2e_stateful', { defaults: { retries: 1, retryDelay: 100 } });
stateful.task('counter', async (ctx) => {
  const conf = ctx.conf as { fail_first_try?: boolean; big_bytes?: number };
  const count = (await ctx.taskState.get<number>('count', 0)) + 1;
  await ctx.taskState.set('count', count);
  if (conf.fail_first_try && ctx.tryNumber === 1) throw new Error(`try 1 fails after counting to ${count}`);
  let refused: string | null = null;
  if (conf.big_bytes) {
    try {
      await ctx.taskState.set('big', 'x'.repeat(conf.big_bytes));
    } catch (error) {
      if (!(error instanceof ValueTooLargeError)) throw error;
      refused = error.message;
    }
  }
  return { count, refused };
});
export default stateful;
