// A watcher that finds two files, one per poll, and the DAG its events trigger.
import { asset, dag, watcher } from '@tidemark/sdk';

const inbox = asset('e2e_watched_inbox', {
  uri: 'file:///landing/e2e_inbox',
  watchers: [
    watcher('new_files', { every: '300ms' }, async (ctx) => {
      const seen = await ctx.assetState.get<number>('seen', 0);
      if (seen >= 2) return;
      ctx.assetState.set('seen', seen + 1);
      return [{ extra: { file: `inbox-${seen + 1}.csv` } }];
    }),
  ],
});

const load = dag('e2e_load_inbox', { schedule: inbox });
load.task('load', (ctx) => ctx.triggeringAssetEvents.map((event) => event.extra));

export default load;
