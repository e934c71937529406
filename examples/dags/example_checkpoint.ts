import { appendFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { checkpoint, dag, FailTask } from '@tidemark/sdk';

/**
 * Intra-task checkpointing (SPEC §1, pattern 3). `process_items` works through `conf.items` items
 * (default 1,000) of `conf.item_ms` milliseconds each (default 2). `checkpoint` records which items
 * are done in task state, once per PROGRESS_EVERY and always when the loop ends (return, throw,
 * SIGTERM), so a retry skips them. Even after a SIGKILL, a retry redoes only the items done since
 * the last write: about one window (50 items).
 *
 * Every processed item is appended to `<TIDEMARK_HOME>/example-checkpoint/processed.log`, so you
 * can count the repeats. The task state `items` shows `{done, total}` while it runs.
 */
export const PROGRESS_EVERY = { items: 50, ms: 1_000 };

const checkpointed = dag('example_checkpoint', {
  description: 'Works through many items, checkpointing so that a retry skips the items already done',
  schedule: null, // triggered by hand only
  tags: ['example', 'pattern'],
  defaults: { retries: 3, retryDelay: '1s' },
});

checkpointed.task('process_items', async (ctx) => {
  const total = wholeNumber(ctx.conf.items ?? 1_000, 'items');
  const itemMs = wholeNumber(ctx.conf.item_ms ?? 2, 'item_ms');
  const items = Array.from({ length: total }, (_, index) => `item-${String(index).padStart(6, '0')}`);

  const progress = checkpoint(ctx, { key: 'items', every: PROGRESS_EVERY });
  let processedThisTry = 0;
  let firstItemThisTry: string | null = null;
  for await (const item of progress.over(items)) {
    await sleep(itemMs); // stands in for the real work on the item
    recordProcessed({ run_id: ctx.runId, try_number: ctx.tryNumber, item });
    firstItemThisTry ??= item;
    processedThisTry++;
  }

  ctx.log.info(`processed ${processedThisTry} items, skipped ${progress.skipped} done by earlier tries`);
  return {
    total,
    processed_this_try: processedThisTry,
    first_item_this_try: firstItemThisTry,
    try_number: ctx.tryNumber,
  };
});

function wholeNumber(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new FailTask(`conf.${name} must be a whole number ≥ 0, got ${JSON.stringify(value)}`);
  }
  return value;
}

function recordProcessed(entry: { run_id: string; try_number: number; item: string }): void {
  const folder = join(tidemarkHome(), 'example-checkpoint');
  mkdirSync(folder, { recursive: true });
  appendFileSync(join(folder, 'processed.log'), `${JSON.stringify(entry)}\n`);
}

/** The task process inherits the worker's environment and working folder, so this is the worker's home. */
function tidemarkHome(): string {
  return resolve(process.env.TIDEMARK_HOME || '.tidemark');
}

export default checkpointed;
