import { fileURLToPath } from 'node:url';
import type { AttemptSpec } from '@tidemark/core/task-process';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { asset } from '../dag/asset.ts';
import { TestSupervisor } from '../runner/fixtures/test-supervisor.ts';
import { type BackendStateAnswerer, useBackendStateAnswerers } from './fixtures/backend-state-answerer.ts';
import { inProcessContext } from './fixtures/in-process-context.ts';
import { watermark } from './watermark.ts';

const PATTERNS_DAG_FILE = fileURLToPath(new URL('./fixtures/patterns-dag.ts', import.meta.url));
const orders = asset('orders');
const ORDERS = { kind: 'asset', name: 'orders' } as const;

function attemptOf(tryNumber: number, conf: AttemptSpec['conf']): AttemptSpec {
  return {
    dagId: 'patterns_fixture',
    runId: 'manual__2026-01-01T00:00:00Z',
    taskId: 'load_orders',
    mapIndex: -1,
    tryNumber,
    maxTries: 4,
    dagFile: PATTERNS_DAG_FILE,
    conf,
    logicalDate: null,
  };
}

/** Runs one try and does what finish does with its staged writes. */
async function runTry(answerer: BackendStateAnswerer, tryNumber: number, conf: AttemptSpec['conf']) {
  const result = await new TestSupervisor(attemptOf(tryNumber, conf), answerer.answer).result;
  const finished = result.finished[0];
  if (finished?.outcome === 'success') await answerer.applyStaged();
  else await answerer.dropStaged();
  return finished;
}

describe('watermark in a task process', () => {
  const openAnswerer = useBackendStateAnswerers();

  it('reads the initial value, stages the commit, and the commit applies only when the try succeeds', async () => {
    const answerer = await openAnswerer();
    const failed = await runTry(answerer, 1, { until: '2026-01-01T00:00:00Z', failAfterCommit: true });
    expect(failed).toMatchObject({
      outcome: 'failed',
      error: expect.stringContaining('planned failure after the commit'),
    });
    expect(await answerer.value(ORDERS, 'loaded_until')).toBeUndefined();

    const succeeded = await runTry(answerer, 2, { until: '2026-01-01T00:00:00Z' });
    expect(succeeded).toMatchObject({
      outcome: 'success',
      returnValue: { from: '1970-01-01T00:00:00Z', readAfterCommit: '1970-01-01T00:00:00Z' },
    });
    expect(await answerer.value(ORDERS, 'loaded_until')).toBe('2026-01-01T00:00:00Z');
    expect(answerer.requests.filter((r) => r.method === 'state.advance').map((r) => r.params)).toEqual([
      { target: ORDERS, key: 'loaded_until', value: '2026-01-01T00:00:00Z', onSuccess: true },
      { target: ORDERS, key: 'loaded_until', value: '2026-01-01T00:00:00Z', onSuccess: true },
    ]);

    const next = await runTry(answerer, 1, { until: '2026-01-02T00:00:00Z' });
    expect(next).toMatchObject({ returnValue: { from: '2026-01-01T00:00:00Z' } });
    expect(await answerer.value(ORDERS, 'loaded_until')).toBe('2026-01-02T00:00:00Z');
  });
});

describe('watermark (in process)', () => {
  const openAnswerer = useBackendStateAnswerers();

  it('never moves backwards: an older candidate leaves the committed value', async () => {
    const answerer = await openAnswerer();
    const { ctx } = inProcessContext(answerer, { assets: [orders] });
    const offset = watermark(ctx, orders, { key: 'offset', initial: 0 });
    expectTypeOf(offset.read).returns.resolves.toEqualTypeOf<number>();
    await offset.commit(500);
    await answerer.applyStaged();
    expect(await offset.read()).toBe(500);
    await offset.commit(200);
    await answerer.applyStaged();
    expect(await offset.read()).toBe(500);
  });

  it('refuses bad input with errors that say what to do', async () => {
    const answerer = await openAnswerer();
    const { ctx } = inProcessContext(answerer, { assets: [orders] });
    expect(() => watermark(ctx, orders, { initial: 0 } as never)).toThrow('watermark("?") needs a key');
    expect(() => watermark(ctx, orders, { key: 'k', initial: { at: 1 } } as never)).toThrow(
      'initial must be a finite number or a string (e.g. an ISO-8601 timestamp), got {"at":1}',
    );
    expect(() => watermark(ctx, asset('customers'), { key: 'k', initial: 0 })).toThrow(
      'asset "customers" is not an inlet or outlet of this task',
    );
    const wm = watermark(ctx, orders, { key: 'k', initial: '1970-01-01' });
    await expect(wm.commit(new Date() as never)).rejects.toThrow('pass date.toISOString()');
    await expect(wm.commit(5 as never)).rejects.toThrow('candidate 5 is a number, but this watermark holds strings');
    await expect(wm.commit(Number.NaN as never)).rejects.toThrow('must be a finite number or a string');
    expect(answerer.requests).toEqual([]);
    await answerer.put(ORDERS, 'k', { cursor: 1 });
    await expect(wm.read()).rejects.toThrow('holds {"cursor":1} under "k", not a string');
  });
});
