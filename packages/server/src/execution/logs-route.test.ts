import { readFileSync } from 'node:fs';
import { eachDialect } from '@tidemark/db/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type ExecutionHarness,
  errorOf,
  openExecutionHarness,
  putXcom,
  requeue,
  type SeededRun,
  T0,
} from '../testing/execution-harness.ts';
import { attemptLogPath } from './attempt-log.ts';

describe.each(eachDialect())('POST …/logs on %s', (dialect) => {
  let harness: ExecutionHarness;
  let run: SeededRun;

  beforeEach(async () => {
    harness = await openExecutionHarness(dialect);
    run = await harness.seedRun('scheduled__2026-01-01T00:00:00+00:00');
    await putXcom(harness.database, run, { taskId: 'extract', value: ['a', 'b', 'c'] });
  });
  afterEach(() => harness.close());

  const send = (tiId: string, token: string, payload: unknown) =>
    harness.request({
      method: 'POST',
      url: `/execution/task-instances/${tiId}/logs`,
      token,
      payload: payload as object,
    });

  const logOf = (tryNumber: number, mapIndex = 2) =>
    readFileSync(
      attemptLogPath(harness.logsFolder, {
        dagId: 'orders',
        runId: run.runId,
        taskId: 'transform',
        mapIndex,
        tryNumber,
      }),
      'utf8',
    );

  it('appends lines to the attempt’s own file, one line per entry', async () => {
    const tiId = await harness.seedTi(run, { taskId: 'transform', mapIndex: 2, maxTries: 2 });
    const first = await harness.claim();
    const lines = [
      { ts: T0 + 1, level: 'info', source: 'task', message: 'reading 3 files' },
      { ts: T0 + 2, level: 'warn', source: 'stderr', message: 'slow\nresponse' },
    ];
    expect((await send(tiId, first.token, { lines })).statusCode).toBe(204);
    expect(
      (
        await send(tiId, first.token, {
          lines: [{ ts: T0 + 3, level: 'error', source: 'supervisor', message: 'killed' }],
        })
      ).statusCode,
    ).toBe(204);

    await requeue(harness.database, tiId);
    const second = await harness.claim();
    await send(tiId, second.token, { lines: [{ ts: T0 + 4, level: 'debug', source: 'stdout', message: 'try 2' }] });

    expect(logOf(1)).toBe(
      '2026-01-01T00:00:00.001Z INFO [task] reading 3 files\n' +
        '2026-01-01T00:00:00.002Z WARN [stderr] slow\n    response\n' +
        '2026-01-01T00:00:00.003Z ERROR [supervisor] killed\n',
    );
    expect(logOf(2)).toBe('2026-01-01T00:00:00.004Z DEBUG [stdout] try 2\n');
    expect(
      attemptLogPath(harness.logsFolder, {
        dagId: 'orders',
        runId: run.runId,
        taskId: 'transform',
        mapIndex: 2,
        tryNumber: 1,
      }),
    ).toBe(
      `${harness.logsFolder}/dag_id=orders/run_id=scheduled__2026-01-01T00%3A00%3A00%2B00%3A00/task_id=transform/map_index=2/attempt=1.log`,
    );
  });

  it('still takes a stale attempt’s lines, into its own try’s file', async () => {
    const tiId = await harness.seedTi(run, { taskId: 'transform', mapIndex: 2, maxTries: 2 });
    const first = await harness.claim();
    await requeue(harness.database, tiId);
    await harness.claim();
    const response = await send(tiId, first.token, {
      lines: [{ ts: T0, level: 'info', source: 'task', message: 'late' }],
    });
    expect(response.statusCode).toBe(204);
    expect(logOf(1)).toContain('[task] late');
  });

  it('answers 422 naming the field for a bad line', async () => {
    const tiId = await harness.seedTi(run, { taskId: 'transform', mapIndex: 2 });
    const { token } = await harness.claim();
    const response = await send(tiId, token, {
      lines: [
        { ts: T0, level: 'info', source: 'task', message: 'ok' },
        { ts: T0, level: 'loud', source: 'task', message: 'no' },
      ],
    });
    expect(response.statusCode).toBe(422);
    expect(errorOf(response)).toEqual({
      reason: 'validation_error',
      message: expect.stringMatching(/^invalid request body: lines\[1\]\.level: /),
    });
    expect(() => logOf(1)).toThrow(/ENOENT/);
  });
});
