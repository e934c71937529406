import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dag } from '@tidemark/sdk';

/**
 * For the database-outage test. After `prepare`, two tasks run side by side and each writes
 * `<conf.signal_dir>/<task>.started`, then waits for `<task>.go` from the test: the test lets
 * `finish_during_outage` end while the database is down (its finish must be retried) and
 * `across_outage` write task state while it is down (the write must be retried until it is back), and
 * neither may be judged a zombie meanwhile.
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
  const signalDir = (ctx.conf as { signal_dir: string }).signal_dir;
  await signalAndWait(signalDir, 'across_outage');
  // The test lets it write while the database is still away: the write is answered 503 until it is back.
  writeFileSync(join(signalDir, 'across_outage.writing'), '');
  await ctx.taskState.set('stage', 'written through the outage');
  return (await ctx.xcom.pull(prepare)) + 1;
});
const report = outage.task('report', async (ctx) => (await ctx.xcom.pull(during)) + (await ctx.xcom.pull(across)));
prepare.then(during).then(report);
prepare.then(across).then(report);
export default outage;
