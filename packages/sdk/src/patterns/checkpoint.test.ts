import { fileURLToPath } from 'node:url';
import type { AttemptSpec, JsonValue } from '@tidemark/core/task-process';
import { describe, expect, it } from 'vitest';
import { TestSupervisor } from '../runner/fixtures/test-supervisor.ts';
import { checkpoint } from './checkpoint.ts';
import { PROGRESS_FORMAT } from './checkpoint-storage.ts';
import { type BackendStateAnswerer, TASK, useBackendStateAnswerers } from './fixtures/backend-state-answerer.ts';
import { inProcessContext } from './fixtures/in-process-context.ts';
import { checkpointIds } from './fixtures/patterns-dag.ts';

const PATTERNS_DAG_FILE = fileURLToPath(new URL('./fixtures/patterns-dag.ts', import.meta.url));

function attemptOf(tryNumber: number, conf: Record<string, JsonValue>): AttemptSpec {
  return {
    dagId: 'patterns_fixture',
    runId: 'manual__2026-01-01T00:00:00Z',
    taskId: 'checkpoint_items',
    mapIndex: -1,
    tryNumber,
    maxTries: 4,
    dagFile: PATTERNS_DAG_FILE,
    conf,
    logicalDate: null,
  };
}

async function runTry(answerer: BackendStateAnswerer, tryNumber: number, conf: Record<string, JsonValue>) {
  const result = await new TestSupervisor(attemptOf(tryNumber, conf), answerer.answer).result;
  expect(result.finished, `stderr: ${result.stderr}`).toHaveLength(1);
  return { ...result, finished: result.finished[0] };
}

const progress = async (answerer: BackendStateAnswerer) =>
  (await answerer.value(TASK, 'items')) as Record<string, JsonValue>;

describe('checkpoint in a task process', () => {
  const openAnswerer = useBackendStateAnswerers();

  it('writes progress once per window, flushes the last on return, and a retry skips nothing more', async () => {
    const answerer = await openAnswerer();
    const { finished } = await runTry(answerer, 1, { count: 1_000, every: { items: 100 } });
    expect(finished).toMatchObject({ outcome: 'success', returnValue: { done: 1_000, total: 1_000, skipped: 0 } });
    const writes = answerer.setsOf('items').length;
    expect(writes).toBeGreaterThanOrEqual(2);
    expect(writes).toBeLessThanOrEqual(12); // one at the start, at most one per 100 items, the last
    expect(await progress(answerer)).toEqual({
      format: PROGRESS_FORMAT,
      done: 1_000,
      total: 1_000,
      ranges: [['item-00000', 'item-00999', 1_000, expect.any(Number)]],
    });
    const again = await runTry(answerer, 2, { count: 1_000, every: { items: 100 } });
    expect(again.finished).toMatchObject({ returnValue: { done: 1_000, skipped: 1_000, processedCount: 0 } });
  });

  it('a time window alone writes at the start and at the end only', async () => {
    const answerer = await openAnswerer();
    await runTry(answerer, 1, { count: 500, every: { ms: 3_600_000 } });
    expect(answerer.setsOf('items')).toHaveLength(2);
    expect(await progress(answerer)).toMatchObject({ done: 500, total: 500 });
  });

  it('flushes on throw; the retry skips exactly the items whose body completed', async () => {
    const answerer = await openAnswerer();
    const first = await runTry(answerer, 1, { count: 1_000, every: { items: 400 }, throwAt: 'item-00250' });
    expect(first.finished).toMatchObject({ outcome: 'failed', error: expect.stringContaining('item-00250') });
    expect(await progress(answerer)).toMatchObject({
      done: 250,
      ranges: [['item-00000', 'item-00249', 250, expect.any(Number)]],
    });
    const second = await runTry(answerer, 2, { count: 1_000, every: { items: 400 } });
    expect(second.finished).toMatchObject({
      outcome: 'success',
      returnValue: { done: 1_000, skipped: 250, processedCount: 750, firstProcessed: 'item-00250' },
    });
    expect(second.logs).toContainEqual(
      expect.objectContaining({ message: expect.stringContaining('250 of 1000 items were done by earlier tries') }),
    );
  });

  it('on SIGTERM, counts the item whose body completes, flushes, and ends the loop with the signal reason', async () => {
    const answerer = await openAnswerer();
    const supervisor = new TestSupervisor(
      attemptOf(1, { count: 1_000, every: { items: 10_000 }, completeAfterAbortAt: 'item-00300' }),
      answerer.answer,
    );
    await supervisor.waitForLog((log) => log.message === 'waiting at item-00300');
    supervisor.child.kill('SIGTERM');
    const result = await supervisor.result;
    expect(result.exitCode).toBe(0);
    expect(result.finished).toEqual([
      expect.objectContaining({
        outcome: 'failed',
        retryable: true,
        error: expect.stringMatching(/^TaskTerminatedError/),
      }),
    ]);
    expect(await progress(answerer)).toMatchObject({
      done: 301,
      ranges: [['item-00000', 'item-00300', 301, expect.any(Number)]],
    });
  });

  it('on SIGTERM while the body hangs, writes the progress so far at once', async () => {
    const answerer = await openAnswerer();
    const supervisor = new TestSupervisor(
      attemptOf(1, { count: 1_000, every: { items: 10_000 }, hangAt: 'item-00120' }),
      answerer.answer,
    );
    await supervisor.waitForLog((log) => log.message === 'hanging at item-00120');
    const writesBefore = answerer.setsOf('items').length;
    supervisor.child.kill('SIGTERM');
    await expect
      .poll(() => answerer.setsOf('items').length, { timeout: 10_000, message: 'the progress write on SIGTERM' })
      .toBeGreaterThan(writesBefore);
    supervisor.child.kill('SIGKILL');
    await supervisor.result;
    expect(await progress(answerer)).toMatchObject({ done: 120, total: 1_000 });
  });

  it('splits out-of-order progress over chunk keys under the limit, and a retry reads it all back', async () => {
    const answerer = await openAnswerer(65_536);
    const conf = {
      count: 10_000,
      idPrefix: 'a-rather-long-item-name-for-chunks-',
      shuffle: true,
      every: { items: 2_000 },
    };
    const first = await runTry(answerer, 1, {
      ...conf,
      throwAt: checkpointIds(10_000, conf.idPrefix, true)[5_000] as string,
    });
    expect(first.finished).toMatchObject({ outcome: 'failed' });
    const head = await progress(answerer);
    expect(head).toMatchObject({ done: 5_000, total: 10_000, chunks: expect.any(Number) });
    const chunks = head.chunks as number;
    expect(chunks).toBeGreaterThanOrEqual(3);
    expect(await answerer.keys(TASK)).toEqual(
      ['items', ...Array.from({ length: chunks }, (_, i) => `items/${i + 1}`)].sort(),
    );
    for (const key of await answerer.keys(TASK)) {
      expect(Buffer.byteLength(JSON.stringify(await answerer.value(TASK, key)))).toBeLessThanOrEqual(48 * 1024);
    }
    const second = await runTry(answerer, 2, { ...conf, returnProcessed: true });
    expect(second.finished).toMatchObject({
      outcome: 'success',
      returnValue: { skipped: 5_000, processedCount: 5_000 },
    });
    const processedAgain = new Set(
      (second.finished as unknown as { returnValue: { processed: string[] } }).returnValue.processed,
    );
    const firstTryIds = checkpointIds(10_000, conf.idPrefix, true).slice(0, 5_000);
    expect(firstTryIds.some((id) => processedAgain.has(id))).toBe(false);
    // Done at last: one range, so the chunk keys are deleted.
    expect(await answerer.keys(TASK)).toEqual(['items']);
    expect(await progress(answerer)).toMatchObject({ done: 10_000, ranges: [expect.any(Array)] });
  });
});

describe('checkpoint (in process)', () => {
  const openAnswerer = useBackendStateAnswerers();

  it('shrinks its chunks when the server limit is lower than 48 KiB, and says so', async () => {
    const answerer = await openAnswerer(8_192);
    const { ctx, logs } = inProcessContext(answerer);
    const ids = checkpointIds(4_000, 'some-long-prefix-to-make-it-big-', true);
    const cp = checkpoint(ctx, { key: 'files', every: { items: 1_000_000 } });
    let seen = 0;
    await expect(async () => {
      for await (const _ of cp.over(ids)) if (++seen > 2_000) throw new Error('stop');
    }).rejects.toThrow('stop');
    expect(logs).toContainEqual(expect.objectContaining({ level: 'warn', message: expect.stringContaining('8192') }));
    const head = (await answerer.value(TASK, 'files')) as { done: number; chunks: number };
    expect(head.done).toBe(2_000);
    for (const key of await answerer.keys(TASK)) {
      expect(Buffer.byteLength(JSON.stringify(await answerer.value(TASK, key)))).toBeLessThanOrEqual(8_192);
    }
    const retry = checkpoint(inProcessContext(answerer).ctx, { key: 'files', every: { items: 1_000 } });
    for await (const _ of retry.over(ids));
    expect(retry.skipped).toBe(2_000);
  });

  it('names items with the id function; done/total/skipped read as it goes', async () => {
    const answerer = await openAnswerer();
    const { ctx } = inProcessContext(answerer);
    const files = [{ path: 'b.csv' }, { path: 'a.csv' }, { path: 'c.csv' }];
    const cp = checkpoint(ctx, { key: 'files', every: { items: 1 } });
    expect(cp.total).toBeUndefined();
    const seen: string[] = [];
    for await (const file of cp.over(files, { id: (f) => f.path })) {
      seen.push(`${file.path}@${cp.done}/${cp.total}`);
    }
    expect(seen).toEqual(['b.csv@0/3', 'a.csv@1/3', 'c.csv@2/3']);
    expect(cp.done).toBe(3);
    expect(await answerer.value(TASK, 'files')).toMatchObject({ done: 3, total: 3 });
  });

  it('a break does not count the item it leaves; the progress before it is written', async () => {
    const answerer = await openAnswerer();
    const { ctx } = inProcessContext(answerer);
    const cp = checkpoint(ctx, { key: 'k', every: { ms: '1h' } });
    for await (const id of cp.over(['a', 'b', 'c', 'd'])) if (id === 'c') break;
    expect(await answerer.value(TASK, 'k')).toMatchObject({ done: 2, ids: ['a', 'b'] });
  });

  it('an abort between items writes progress and throws the reason', async () => {
    const answerer = await openAnswerer();
    const { ctx, abort } = inProcessContext(answerer);
    const cp = checkpoint(ctx, { key: 'k', every: { items: 100 } });
    const reason = new Error('stopped');
    await expect(async () => {
      for await (const id of cp.over(['a', 'b', 'c', 'd'])) if (id === 'b') abort(reason);
    }).rejects.toBe(reason);
    expect(await answerer.value(TASK, 'k')).toMatchObject({ done: 2, ids: ['a', 'b'] });
  });

  it('refuses bad options and items with errors that say what to do, before any request', async () => {
    const answerer = await openAnswerer();
    const { ctx } = inProcessContext(answerer);
    const bad = (options: unknown) => () => checkpoint(ctx, options as never);
    expect(bad({ every: { items: 1 } })).toThrow('checkpoint("?") needs a key');
    expect(bad({ key: 'k' })).toThrow('every must say how often to write progress');
    expect(bad({ key: 'k', every: {} })).toThrow('every must say how often to write progress');
    expect(bad({ key: 'k', every: { items: 0 } })).toThrow('every.items must be a whole number ≥ 1, got 0');
    expect(bad({ key: 'k', every: { ms: '5' } })).toThrow('every.ms must be a number of milliseconds > 0');
    expect(bad({ key: 'k', every: { item: 5 } })).toThrow('has no option "item"');
    expect(bad({ key: 'k', every: { items: 5 }, retry: 1 })).toThrow('has no option "retry"');
    expect(() => checkpoint({} as never, { key: 'k', every: { items: 1 } })).toThrow("takes the task's context");
    const cp = checkpoint(ctx, { key: 'k', every: { items: 1 } });
    expect(() => cp.over(5 as never)).toThrow('takes an array or another iterable');
    await expect(async () => {
      for await (const _ of cp.over([{ n: 1 }]));
    }).rejects.toThrow('item 0 is {"n":1}, not a string; name each item with over(items, { id: (item) => string })');
    const dup = checkpoint(ctx, { key: 'k2', every: { items: 1 } });
    await expect(async () => {
      for await (const _ of dup.over(['x', 'y', 'x']));
    }).rejects.toThrow('item ids must be unique, but id "x" appears twice (items 0 and 2)');
    expect(answerer.requests).toEqual([]);
  });

  it('refuses a key that holds something else, naming it', async () => {
    const answerer = await openAnswerer();
    await answerer.put(TASK, 'k', { cursor: 5 });
    const cp = checkpoint(inProcessContext(answerer).ctx, { key: 'k', every: { items: 1 } });
    await expect(async () => {
      for await (const _ of cp.over(['a']));
    }).rejects.toThrow('task-state key "k" holds {"cursor":5}, not checkpoint progress');
  });
});
