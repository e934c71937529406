import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dag, StaleAttemptError } from '@tidemark/sdk';

/**
 * `writer` writes `last_writer` = {try, i} in a loop: for `conf.write_ms` on try 1 (its pid in
 * `<conf.pid_dir>/1.pid`, so a test can freeze its worker), five times on a later try. A write the
 * server fences off is logged and ends the try.
 */
const fenced = dag('e2e_fenced', { defaults: { retries: 1, retryDelay: 100 } });
fenced.task('writer', async (ctx) => {
  const conf = ctx.conf as { write_ms?: number; pid_dir?: string };
  if (conf.pid_dir) writeFileSync(join(conf.pid_dir, `${ctx.tryNumber}.pid`), String(process.pid));
  const until = ctx.tryNumber === 1 ? Date.now() + (conf.write_ms ?? 60_000) : Number.POSITIVE_INFINITY;
  for (let i = 0; ctx.tryNumber === 1 ? Date.now() < until : i < 5; i++) {
    try {
      await ctx.taskState.set('last_writer', { try: ctx.tryNumber, i });
    } catch (error) {
      if (error instanceof StaleAttemptError) ctx.log.error(`fenced off: ${error.message}`);
      throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return ctx.tryNumber;
});
export default fenced;
