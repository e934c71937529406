import { taskLogResponseSchema } from '@tidemark/core';
import { eachDialect } from '@tidemark/db/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AttemptLogAddress, appendAttemptLog } from '../../execution/attempt-log.ts';
import { T0 } from '../../testing/execution-harness.ts';
import {
  detailOf,
  finished,
  openTaskInstanceHarness,
  RUNS_URL,
  seedOrdersRun,
  type TaskInstanceHarness,
  updateTi,
} from '../../testing/task-instance-test-kit.ts';

const TIS_URL = `${RUNS_URL}/manual__1/taskInstances`;

describe.each(eachDialect())('GET …/taskInstances/{task_id}/logs/{try_number} on %s', (dialect) => {
  let harness: TaskInstanceHarness;

  const attempt = (tryNumber: number, taskId = 'extract', mapIndex = -1): AttemptLogAddress => ({
    dagId: 'orders',
    runId: 'manual__1',
    taskId,
    mapIndex,
    tryNumber,
  });
  const write = (address: AttemptLogAddress, ...messages: string[]) =>
    appendAttemptLog(
      harness.logsFolder,
      address,
      messages.map((message, i) => ({ ts: T0 + i * 1_000, level: 'info', source: 'task', message })),
    );

  beforeEach(async () => {
    harness = await openTaskInstanceHarness(dialect);
    await seedOrdersRun(harness, { mapped: 2 });
    await updateTi(harness, { taskId: 'extract' }, finished('failed', 2));
    await write(attempt(1), 'fetching page 1', 'HTTP 503');
    await write(attempt(2), 'fetching page 1', 'giving up');
  });
  afterEach(() => harness.close());

  it('returns the whole log of a finished try as JSON, with no continuation', async () => {
    const response = await harness.api('GET', `${TIS_URL}/extract/logs/1`);
    expect(response.statusCode).toBe(200);
    expect(taskLogResponseSchema.parse(response.json())).toEqual({
      content: '2026-01-01T00:00:00.000Z INFO [task] fetching page 1\n2026-01-01T00:00:01.000Z INFO [task] HTTP 503\n',
      continuation_token: null,
      complete: true,
    });
    expect((await harness.api('GET', `${TIS_URL}/extract/logs/2`)).json().content).toContain('giving up');
  });

  it('answers the raw text with Accept: text/plain', async () => {
    const response = await harness.api('GET', `${TIS_URL}/extract/logs/2`, { headers: { accept: 'text/plain' } });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain/);
    expect(response.body).toBe(
      '2026-01-01T00:00:00.000Z INFO [task] fetching page 1\n2026-01-01T00:00:01.000Z INFO [task] giving up\n',
    );
    const json = await harness.api('GET', `${TIS_URL}/extract/logs/2`, {
      headers: { accept: 'application/json, text/plain' },
    });
    expect(json.headers['content-type']).toMatch(/^application\/json/);
  });

  it('follows a running try: continuation_token is the offset to read on from', async () => {
    await updateTi(harness, { taskId: 'extract' }, { state: 'running', try_number: 3, end_date: null });
    await write(attempt(3), 'item 1 done');
    const first = taskLogResponseSchema.parse((await harness.api('GET', `${TIS_URL}/extract/logs/3`)).json());
    expect(first.complete).toBe(true);
    expect(first.continuation_token).toBe(String(Buffer.byteLength(first.content)));

    await write(attempt(3), 'item 2 done');
    const next = await harness.api('GET', `${TIS_URL}/extract/logs/3?offset=${first.continuation_token}`);
    expect(next.json()).toMatchObject({
      content: '2026-01-01T00:00:00.000Z INFO [task] item 2 done\n',
      complete: true,
    });
    const viaToken = await harness.api('GET', `${TIS_URL}/extract/logs/3?token=${first.continuation_token}`);
    expect(viaToken.json().content).toBe(next.json().content);

    await updateTi(harness, { taskId: 'extract' }, finished('success', 3));
    const last = await harness.api('GET', `${TIS_URL}/extract/logs/3?offset=${next.json().continuation_token}`);
    expect(last.json()).toEqual({ content: '', continuation_token: null, complete: true });
  });

  it('reads a mapped TI’s log by map_index', async () => {
    await updateTi(harness, { taskId: 'transform', mapIndex: 1 }, finished('success', 1));
    await write(attempt(1, 'transform', 1), 'item b');
    const response = await harness.api('GET', `${TIS_URL}/transform/logs/1?map_index=1`);
    expect(response.json().content).toContain('item b');
    const unmapped = await harness.api('GET', `${TIS_URL}/transform/logs/1`);
    expect(unmapped.statusCode).toBe(404);
    expect(detailOf(unmapped).message).toContain('pass ?map_index=');
  });

  it('answers 404 naming the tries that exist for a try that has not run', async () => {
    const response = await harness.api('GET', `${TIS_URL}/extract/logs/3`);
    expect(response.statusCode).toBe(404);
    expect(detailOf(response)).toEqual({
      reason: 'not_found',
      message: 'no log for try 3 of task "extract": its tries are 1…2',
    });
    const never = await harness.api('GET', `${TIS_URL}/load/logs/1`);
    expect(detailOf(never).message).toBe('no log for try 1 of task "load": it has not run yet');
  });

  it('answers 404 for a try without a log file, and for unknown runs and tasks', async () => {
    await updateTi(harness, { taskId: 'load' }, finished('success', 1));
    const missing = await harness.api('GET', `${TIS_URL}/load/logs/1`);
    expect(missing.statusCode).toBe(404);
    expect(detailOf(missing).message).toMatch(/try 1 has no log yet/);
    expect(detailOf(await harness.api('GET', `${RUNS_URL}/nope/taskInstances/extract/logs/1`)).reason).toBe(
      'dag_run_not_found',
    );
    expect(detailOf(await harness.api('GET', `${TIS_URL}/nope/logs/1`)).reason).toBe('task_instance_not_found');
  });

  it('answers 422 for a bad try number or offset, and 401 without a token', async () => {
    for (const url of [
      'extract/logs/0',
      'extract/logs/x',
      'extract/logs/1?offset=-1',
      'extract/logs/1?offset=1&token=2',
    ]) {
      const response = await harness.api('GET', `${TIS_URL}/${url}`);
      expect(response.statusCode, url).toBe(422);
      expect(detailOf(response).reason).toBe('validation_error');
    }
    expect((await harness.api('GET', `${TIS_URL}/extract/logs/1`, { token: null })).statusCode).toBe(401);
  });
});
