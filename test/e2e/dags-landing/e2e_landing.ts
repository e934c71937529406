// A folder watcher (one event per new file, its cursor in asset state) and the DAG its events
// trigger, for the watcher crash tests. The folder is `$E2E_LANDING_DIR`.
import { readdirSync } from 'node:fs';
import { asset, dag, watcher } from '@tidemark/sdk';

const landing = asset('e2e_landing', {
  uri: 'file:///e2e/landing',
  watchers: [
    watcher('new_files', { every: '100ms' }, async (ctx) => {
      const folder = process.env.E2E_LANDING_DIR;
      if (!folder) throw new Error('E2E_LANDING_DIR is not set');
      const seenUntil = await ctx.assetState.get<string>('seen_until', '');
      const arrived = readdirSync(folder)
        .filter((name) => name.endsWith('.csv') && name > seenUntil)
        .sort();
      const last = arrived.at(-1);
      if (last === undefined) return [];
      ctx.assetState.set('seen_until', last);
      return arrived.map((file) => ({ extra: { file } }));
    }),
  ],
});

const load = dag('e2e_landing_load', { schedule: landing });
load.task('load', (ctx) => ctx.triggeringAssetEvents.map((event) => event.extra.file));

export default load;
