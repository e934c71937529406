import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dag } from '@tidemark/sdk';

/**
 * For the database-outage test. After `prepare`, two tasks run side by side and each writes
 * `<conf.signal_dir>/<task>.started`, then waits for `<task>.go` from the test: the test lets
 * `finish_during_outage` end while the database is down (its finish must be retried) and
 * `across_outage` only once the database is back (it must not be judged a zombie meanwhile).
 */
const outage = dag('e2e_outage', { defaults: { retries: 0 } });

async function signalAndWait(signalDir: string, taskId: string): Promise<void> {
  writeFileSync(join(signalDir, `${taskId}.started`), String(process.pid));
  while (!existsSync(join(signalDir, `${taskId}.go`))) await new Promise((resolve) => setTimeout(resolve, 50));
}

const prepare = outage.task('prepare', async (ctx) => {
  await ctx.taskState.set('stage', 'prepared');
  return 20;
});
const during = outage.task('finish_during_outage', async (ctx) => {
  await signalAndWait((ctx.conf as { signal_dir: string }).signal_dir, 'finish_during_outage');
  return 1;
});
const across = outage.task('across_outage', async (ctx) => {
  await signalAndWait((ctx.conf as { signal_dir: string }).signal_dir, 'across_outage');
  await ctx.taskState.set('stage', 'after the outage');
  return (await ctx.xcom.pull(prepare)) + 1;
});
const report = outage.task('report', async (ctx) => (await ctx.xcom.pull(during)) + (await ctx.xcom.pull(across)));
prepare.then(during).then(report);
prepare.then(across).then(report);
export default outage;
