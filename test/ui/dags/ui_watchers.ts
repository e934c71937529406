// Two watchers for the asset page's Watchers table: one that finds a file once, one whose source
// is down (it always throws, so it backs off and shows its error).
import { asset, dag, watcher } from '@tidemark/sdk';

const landing = asset('ui_landing', {
  uri: 'file:///ui/landing',
  watchers: [
    watcher('steady', { every: '200ms' }, async (ctx) => {
      if (await ctx.assetState.get<boolean>('found', false)) return [];
      ctx.assetState.set('found', true);
      return [{ extra: { file: 'first.csv' } }];
    }),
    watcher('flaky', { every: '200ms' }, async () => {
      throw new Error('source unreachable: connection refused by ui-landing.example:21');
    }),
  ],
});

const watched = dag('ui_watched', { schedule: null });
watched.task('declares', () => undefined, { inlets: [landing] });

export default watched;
