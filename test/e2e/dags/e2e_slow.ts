import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dag } from '@tidemark/sdk';

/**
 * `sleepy` sleeps `conf.sleep_ms` on every try whose number is listed in `conf.slow_tries`
 * (default: every try), writing its pid to `<conf.pid_dir>/<try>.pid` first so a test can kill it.
 */
const slow = dag('e2e_slow', { defaults: { retries: 2, retryDelay: 100 } });
slow.task('sleepy', async (ctx) => {
  const conf = ctx.conf as { sleep_ms?: number; slow_tries?: number[]; pid_dir?: string };
  if (conf.pid_dir) writeFileSync(join(conf.pid_dir, `${ctx.tryNumber}.pid`), String(process.pid));
  const slowTry = conf.slow_tries ? conf.slow_tries.includes(ctx.tryNumber) : true;
  if (slowTry) await new Promise((resolve) => setTimeout(resolve, conf.sleep_ms ?? 60_000));
  return { tryNumber: ctx.tryNumber };
});
export default slow;
