import { existsSync } from 'node:fs';
import { dag } from '@tidemark/sdk';

/**
 * Scenario 11 (deferral, SPEC §16). `bench_deferral`: `list` returns `conf.count` items; each
 * `wait_for_job` defers until a "job" ends at `conf.ends_from + item × conf.stagger_ms` (after every
 * task deferred, and apart, so resumes do not wait for each other's worker slots; at least 2 s after
 * its deferral) and, resumed, reports when its function was entered.
 */
interface Conf {
  readonly count?: number;
  readonly ends_from?: number;
  readonly stagger_ms?: number;
}

export const benchDeferral = dag('bench_deferral', { defaults: { retries: 0 } });
const jobEnded = benchDeferral.poll<{ endsAt: number }>('job_ended', { every: '500ms' }, async ({ endsAt }) =>
  Date.now() >= endsAt ? { endsAt } : undefined,
);
const list = benchDeferral.task('list', (ctx) => Array.from({ length: (ctx.conf as Conf).count ?? 10 }, (_, i) => i));
benchDeferral.map('wait_for_job', list, async (ctx, item) => {
  if (ctx.resumedWith !== undefined) {
    return { enteredAt: Date.now(), endsAt: (ctx.resumedWith as { endsAt: number }).endsAt };
  }
  const conf = ctx.conf as Conf;
  const endsAt = Math.max(Date.now() + 2_000, (conf.ends_from ?? 0) + item * (conf.stagger_ms ?? 300));
  return ctx.defer(jobEnded.wait({ endsAt }));
});

/** `bench_deferral_idle`: the poll the benchmark's 1,000 waiting deferrals run, every 10 s; it never fires. */
export const benchDeferralIdle = dag('bench_deferral_idle', { defaults: { retries: 0 } });
const fileExists = benchDeferralIdle.poll<{ path: string }>('file_exists', { every: '10s' }, async ({ path }) =>
  existsSync(path) ? { path } : undefined,
);
benchDeferralIdle.task('wait', async (ctx) => ctx.defer(fileExists.wait({ path: `/nonexistent/${ctx.runId}` })));

/** `bench_deferral_fresh`: the baseline, a task that does not defer and reports when it was entered. */
export const benchDeferralFresh = dag('bench_deferral_fresh', { defaults: { retries: 0 } });
benchDeferralFresh.task('enter', async () => ({ enteredAt: Date.now() }));
