import { appendFileSync, mkdirSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { asset, dag, watcher, watermark } from '@tidemark/sdk';

/**
 * Event-driven runs from an outside source (SPEC §15.3). The watcher `new_files` runs on the
 * triggerer every second: it lists `<TIDEMARK_HOME>/landing`, emits one asset event per file whose
 * name sorts after its cursor, and moves the cursor (asset state key `seen_until`). The events and
 * the cursor commit in one transaction, so a triggerer killed at any moment neither loses a file nor
 * emits one twice. Name files so they sort in arrival order (`2026-12-06T10-00_orders.csv`).
 *
 * Each event is queued for `example_landing_load`, scheduled on the asset: its run loads the files
 * named in its triggering events, skipping any at or below the watermark `loaded_until` (so a run
 * cleared and run again loads nothing twice), and appends them to
 * `<TIDEMARK_HOME>/example-landing/loaded.log`.
 */
const landingFiles = asset('example_landing_files', {
  uri: 'file://landing',
  watchers: [
    watcher('new_files', { every: '1s' }, async (ctx) => {
      const folder = landingFolder();
      mkdirSync(folder, { recursive: true });
      const seenUntil = await ctx.assetState.get<string>('seen_until', '');
      const arrived = readdirSync(folder)
        .filter((name) => name > seenUntil && !name.startsWith('.'))
        .sort();
      const last = arrived.at(-1);
      if (last === undefined) return [];
      ctx.assetState.set('seen_until', last); // staged: commits with the events below
      ctx.log.info(`${arrived.length} new file(s) after ${JSON.stringify(seenUntil)}`);
      return arrived.map((file) => ({ extra: { file } }));
    }),
  ],
});

const landingLoad = dag('example_landing_load', {
  description: 'Loads each file the landing watcher saw, once',
  schedule: landingFiles,
  tags: ['example', 'assets', 'watcher'],
  defaults: { retries: 2, retryDelay: '1s' },
});

landingLoad.task(
  'load_files',
  async (ctx) => {
    const loadedUntil = watermark(ctx, landingFiles, { key: 'loaded_until', initial: '' });
    const since = await loadedUntil.read();
    const files = ctx.triggeringAssetEvents
      .map((event) => event.extra.file)
      .filter((file): file is string => typeof file === 'string' && file > since)
      .sort();
    const log = join(tidemarkHome(), 'example-landing');
    mkdirSync(log, { recursive: true });
    for (const file of files) {
      appendFileSync(join(log, 'loaded.log'), `${JSON.stringify({ run_id: ctx.runId, file })}\n`);
    }
    const last = files.at(-1);
    if (last !== undefined) await loadedUntil.commit(last);
    return { loaded: files, skipped_at_or_below: since };
  },
  { inlets: [landingFiles] },
);

function landingFolder(): string {
  return join(tidemarkHome(), 'landing');
}

function tidemarkHome(): string {
  return resolve(process.env.TIDEMARK_HOME || '.tidemark');
}

export default landingLoad;
