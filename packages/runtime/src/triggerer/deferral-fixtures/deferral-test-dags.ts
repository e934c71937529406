// DAGs whose tasks defer (SPEC §16), one per way a wait can end, for the deferral runner's tests.
import { existsSync } from 'node:fs';
import { dag, timer } from '@tidemark/sdk';

interface Conf {
  readonly path?: string;
}

/** Defers to a 300 ms timer; the resumed run reads what the first run left in task state. */
export const timerDag = dag('deferral_timer', { defaults: { retries: 0 } });
timerDag.task('sleeps', async (ctx) => {
  if (ctx.resumedWith !== undefined) {
    return { resumedWith: ctx.resumedWith, tryNumber: ctx.tryNumber, note: await ctx.taskState.get('note') };
  }
  await ctx.taskState.set('note', 'written before deferring');
  return ctx.defer(timer(300));
});

/** Defers to a poll that fires once `conf.path` exists; with `conf.timeout`, only that long. */
export const fileDag = dag('deferral_file', { defaults: { retries: 0 } });
const fileExists = fileDag.poll<{ path: string }>('file_exists', { every: '200ms' }, async ({ path }, ctx) => {
  if (!existsSync(path)) return undefined;
  ctx.log.info(`found ${path}`);
  return { found: path };
});
fileDag.task('waits_for_file', async (ctx) => {
  const conf = ctx.conf as Conf & { timeout?: string };
  if (ctx.resumedWith !== undefined) return { resumedWith: ctx.resumedWith, tryNumber: ctx.tryNumber };
  return ctx.defer(fileExists.wait({ path: conf.path ?? '/nowhere' }), conf.timeout ? { timeout: conf.timeout } : {});
});

/** Defers to a poll that throws: each try fails in its wait; one retry. */
export const failingDag = dag('deferral_failing', { defaults: { retries: 1, retryDelay: 0 } });
failingDag.poll('job_api', { every: '200ms' }, async () => {
  throw new Error('the job API answered 503');
});
failingDag.task('waits_on_broken_api', async (ctx) => ctx.defer(failingDag.waitFor('job_api', {})));

/** Defers to a slow poll (each check takes 1 s) that fires once `conf.path` exists. */
export const slowPollDag = dag('deferral_slow_poll', { defaults: { retries: 0 } });
const slowFile = slowPollDag.poll<{ path: string }>('slow_file', { every: '100ms' }, async ({ path }) => {
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  return existsSync(path) ? { found: path } : undefined;
});
slowPollDag.task('waits_slowly', async (ctx) => {
  if (ctx.resumedWith !== undefined) return { resumedWith: ctx.resumedWith, tryNumber: ctx.tryNumber };
  return ctx.defer(slowFile.wait({ path: (ctx.conf as Conf).path ?? '/nowhere' }));
});
