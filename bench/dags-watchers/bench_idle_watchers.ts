import { asset, dag, watcher } from '@tidemark/sdk';

/**
 * Scenario 9b: `$BENCH_IDLE_WATCHERS` (default 0) watchers polling every second that read their
 * cursor and find nothing, as a source with no new data does.
 */
const count = Number(process.env.BENCH_IDLE_WATCHERS ?? 0);
const idleAssets = Array.from({ length: count }, (_, index) =>
  asset(`bench_idle_${index}`, {
    watchers: [
      watcher('poll', { every: '1s' }, async (ctx) => {
        await ctx.assetState.get<string>('cursor', '');
        return [];
      }),
    ],
  }),
);

export const benchIdle = dag('bench_idle_watchers', { schedule: null });
benchIdle.task('declares', () => undefined, { inlets: idleAssets });
