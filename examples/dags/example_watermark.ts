import { appendFileSync, mkdirSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { asset, dag, FailTask, watermark } from '@tidemark/sdk';

/**
 * The incremental watermark (SPEC §1, pattern 1). `load_new_files` loads the files of a source
 * folder (`conf.source_dir`, default `<TIDEMARK_HOME>/watermark-source`) whose names sort after
 * the asset's watermark, then commits the largest name it loaded. The commit is staged: it applies
 * when the task succeeds, so a load that fails or is killed leaves the watermark where it was, and
 * the next run loads those files again. Name the files so they sort in arrival order
 * (`2026-11-24T10-00_orders.csv`).
 *
 * Every loaded file is appended to `<TIDEMARK_HOME>/example-watermark/loaded.log`.
 * `conf.fail_after_load: true` fails the task after loading and committing, to show the watermark
 * not moving; `conf.file_ms` (default 0) makes each file take that long to load.
 */
const sourceFiles = asset('example_source_files');

const incrementalLoad = dag('example_watermark', {
  description: 'Loads only new files, moving the watermark forward only when the load succeeds',
  schedule: null, // triggered by hand only
  tags: ['example', 'pattern'],
  defaults: { retries: 3, retryDelay: '1s' },
});

incrementalLoad.task(
  'load_new_files',
  async (ctx) => {
    const sourceDir = ctx.conf.source_dir ?? join(tidemarkHome(), 'watermark-source');
    const fileMs = ctx.conf.file_ms ?? 0;
    if (typeof sourceDir !== 'string' || sourceDir === '') {
      throw new FailTask(`conf.source_dir must be a folder path, got ${JSON.stringify(sourceDir)}`);
    }
    if (typeof fileMs !== 'number' || !(fileMs >= 0)) {
      throw new FailTask(`conf.file_ms must be a number of milliseconds ≥ 0, got ${JSON.stringify(fileMs)}`);
    }
    mkdirSync(sourceDir, { recursive: true });

    const loadedUntil = watermark(ctx, sourceFiles, { key: 'loaded_until', initial: '' });
    const since = await loadedUntil.read();
    const newFiles = readdirSync(sourceDir)
      .filter((name) => name > since)
      .sort();
    ctx.log.info(`${newFiles.length} new files after ${JSON.stringify(since)} in ${sourceDir}`);

    for (const file of newFiles) {
      await sleep(fileMs); // stands in for the real load
      recordLoaded({ run_id: ctx.runId, try_number: ctx.tryNumber, file });
    }
    const last = newFiles.at(-1);
    if (last !== undefined) await loadedUntil.commit(last); // applies only if this attempt succeeds

    if (ctx.conf.fail_after_load === true) {
      throw new FailTask(`failing after the load on purpose (conf.fail_after_load): the watermark stays at "${since}"`);
    }
    return { read: since, loaded: newFiles, committed: last ?? null };
  },
  { inlets: [sourceFiles], outlets: [sourceFiles] },
);

function recordLoaded(entry: { run_id: string; try_number: number; file: string }): void {
  const folder = join(tidemarkHome(), 'example-watermark');
  mkdirSync(folder, { recursive: true });
  appendFileSync(join(folder, 'loaded.log'), `${JSON.stringify(entry)}\n`);
}

/** The task process inherits the worker's environment and working folder, so this is the worker's home. */
function tidemarkHome(): string {
  return resolve(process.env.TIDEMARK_HOME || '.tidemark');
}

export default incrementalLoad;
