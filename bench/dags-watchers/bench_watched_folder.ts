import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { asset, dag, watcher } from '@tidemark/sdk';

/**
 * Scenario 9a: a folder watcher (every 200 ms, cursor in asset state) on `$TIDEMARK_HOME/landing`, and
 * the DAG its events trigger; the task reports when its function ran.
 */
const landing = asset('bench_landing', {
  watchers: [
    watcher('new_files', { every: '200ms' }, async (ctx) => {
      const folder = join(process.env.TIDEMARK_HOME ?? '.tidemark', 'landing');
      mkdirSync(folder, { recursive: true });
      const seenUntil = await ctx.assetState.get<string>('seen_until', '');
      const arrived = readdirSync(folder)
        .filter((name) => name > seenUntil)
        .sort();
      const last = arrived.at(-1);
      if (last === undefined) return [];
      ctx.assetState.set('seen_until', last);
      return arrived.map((file) => ({ extra: { file } }));
    }),
  ],
});

export const benchOnLanding = dag('bench_on_landing', { schedule: landing, defaults: { retries: 0 } });
benchOnLanding.task('react', async (ctx) => ({
  enteredAt: Date.now(),
  files: ctx.triggeringAssetEvents.map((event) => event.extra.file ?? null),
}));
