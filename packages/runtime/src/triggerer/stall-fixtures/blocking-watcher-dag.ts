// A watcher that blocks its process's event loop, for the watcher process host's stall test. It
// lives apart from fixtures/ so that triggerer tests loading that folder never run it.
import { asset, dag, watcher } from '@tidemark/sdk';

const stalled = asset('triggerer_stalled', {
  watchers: [
    watcher('blocks', { every: '200ms' }, async (ctx) => {
      ctx.log.info('blocking');
      await new Promise((resolve) => setTimeout(resolve, 10)); // lets the log line out first
      for (;;) {
        // a synchronous loop that never yields: the process answers nothing any more
      }
    }),
  ],
});

const blocking = dag('triggerer_blocking', { schedule: null });
blocking.task('declares', () => undefined, { inlets: [stalled] });

export default blocking;
