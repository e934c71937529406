import { dag } from '@tidemark/sdk';

/** The first try outlives its 1.5 s execution timeout; the retry returns at once. */
const timeout = dag('e2e_timeout', { defaults: { retries: 1, retryDelay: 100 } });
timeout.task(
  'overrun',
  async (ctx) => {
    if (ctx.tryNumber === 1) await new Promise((resolve) => setTimeout(resolve, 60_000));
    return { tryNumber: ctx.tryNumber };
  },
  { executionTimeout: 1_500 },
);
export default timeout;
