import { readFileSync } from 'node:fs';
import { eachDialect } from '@tidemark/db/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type ExecutionHarness,
  errorOf,
  openExecutionHarness,
  requeue,
  type SeededRun,
  T0,
  taskInstanceRow,
} from '../testing/execution-harness.ts';
import { triggererToken } from '../testing/watcher-test-kit.ts';
import { attemptLogPath } from './attempt-log.ts';

const POLL_WAIT = { kind: 'poll', name: 'spark_job', args: { jobId: 'j-1' }, every_ms: 2_000 } as const;

describe.each(eachDialect())('deferral routes on %s', (dialect) => {
  let harness: ExecutionHarness;
  let run: SeededRun;
  const t1 = triggererToken('t1');

  beforeEach(async () => {
    harness = await openExecutionHarness(dialect, {
      state: { max_value_bytes: 1_024 },
      triggerer: { lease_timeout: '30s' },
    });
    run = await harness.seedRun();
  });
  afterEach(() => harness.close());

  const finish = (tiId: string, token: string, payload: unknown) =>
    harness.request({
      method: 'PATCH',
      url: `/execution/task-instances/${tiId}/state`,
      token,
      payload: payload as object,
    });
  const lease = (token = t1, owner = 't1', payload: object = {}) =>
    harness.request({
      method: 'POST',
      url: `/execution/triggerers/${owner}/deferral-leases`,
      token,
      payload: { hostname: `${owner}:1`, capacity: 100, ...payload },
    });
  const fire = (id: number, payload: object, token = t1) =>
    harness.request({ method: 'POST', url: `/execution/deferrals/${id}/fire`, token, payload });
  const reportError = (id: number, payload: object, token = t1) =>
    harness.request({ method: 'POST', url: `/execution/deferrals/${id}/error`, token, payload });
  const deferrals = () => harness.database.db.selectFrom('task_deferral').selectAll().execute();
  const attemptLog = (taskId: string, tryNumber = 1) =>
    readFileSync(
      attemptLogPath(harness.logsFolder, { dagId: 'orders', runId: 'manual__1', taskId, mapIndex: -1, tryNumber }),
      'utf8',
    );

  async function deferredTi(taskId = 'extract', wait: object = POLL_WAIT, extra: object = {}) {
    const tiId = await harness.seedTi(run, { taskId, maxTries: 3 });
    const { token } = await harness.claim();
    const response = await finish(tiId, token, { state: 'deferred', wait, ...extra });
    expect(response.statusCode).toBe(200);
    return { tiId, token };
  }

  it('defers a try: deferred, the wait stored with server times, a log line; the slot is free for the next claim', async () => {
    harness.clock.advance(1_000);
    const { tiId } = await deferredTi('extract', POLL_WAIT, { timeout_ms: 3_600_000 });
    expect(await taskInstanceRow(harness.database, tiId)).toMatchObject({ state: 'deferred', try_number: 1 });
    expect(await deferrals()).toEqual([
      expect.objectContaining({
        ti_id: tiId,
        try_number: 1,
        kind: 'poll',
        poll_name: 'spark_job',
        args: '{"jobId":"j-1"}',
        every_ms: 2_000,
        next_check_at: T0 + 1_000 + 2_000,
        timeout_at: T0 + 1_000 + 3_600_000,
        status: 'waiting',
      }),
    ]);
    expect(attemptLog('extract')).toContain('attempt 1 deferred: task instance is deferred\n');
    expect(attemptLog('extract')).toContain('waiting for poll "spark_job" every 2s (timeout after 1h)');

    const timer = await deferredTi('load', { kind: 'timer', delay_ms: 60_000 });
    const until = await deferredTi('transform', { kind: 'timer', until: T0 + 5 });
    const rows = await deferrals();
    expect(rows.find((row) => row.ti_id === timer.tiId)).toMatchObject({
      kind: 'timer',
      next_check_at: T0 + 1_000 + 60_000,
    });
    expect(rows.find((row) => row.ti_id === until.tiId)).toMatchObject({
      kind: 'timer',
      next_check_at: T0 + 5,
      timeout_at: null,
    });
  });

  it('refuses a bad wait with 422 or 413 naming the problem, and the try keeps running with nothing stored', async () => {
    const tiId = await harness.seedTi(run, { taskId: 'extract' });
    const { token } = await harness.claim();
    const cases: [object, number, RegExp][] = [
      [{ kind: 'timer', delay_ms: 1, until: T0 }, 422, /exactly one of delay_ms and until/],
      [{ kind: 'timer' }, 422, /exactly one of delay_ms and until/],
      [{ ...POLL_WAIT, name: 'no spaces' }, 422, /a poll name is 1–250 letters/],
      [{ ...POLL_WAIT, every_ms: 10 }, 422, /every_ms/],
      [{ ...POLL_WAIT, args: null }, 422, /the arguments of poll "spark_job": the value must not be null/],
      [
        { ...POLL_WAIT, args: { blob: 'x'.repeat(2_000) } },
        413,
        /the arguments of poll "spark_job" is \d+ bytes of JSON, over the limit of 1024 bytes \(state.max_value_bytes\)/,
      ],
      [{ kind: 'sleep' }, 422, /kind/],
    ];
    for (const [wait, status, message] of cases) {
      const response = await finish(tiId, token, { state: 'deferred', wait });
      expect(response.statusCode, JSON.stringify(wait)).toBe(status);
      expect(errorOf(response).message).toMatch(message);
    }
    const negative = await finish(tiId, token, { state: 'deferred', wait: POLL_WAIT, timeout_ms: -1 });
    expect(negative.statusCode).toBe(422);
    expect((await taskInstanceRow(harness.database, tiId)).state).toBe('running');
    expect(await deferrals()).toEqual([]);
  });

  it('leases the wait to a triggerer, fires it once, and the claim resumes the same try with the event', async () => {
    const { tiId } = await deferredTi();
    const leased = await lease();
    expect(leased.statusCode).toBe(200);
    const [deferral] = leased.json().deferrals;
    expect(deferral).toEqual({
      id: expect.any(Number),
      lease: 1,
      kind: 'poll',
      ti: { id: tiId, dag_id: 'orders', run_id: 'manual__1', task_id: 'extract', map_index: -1, try_number: 1 },
      fileloc: 'sales/orders-dag.ts',
      poll_name: 'spark_job',
      args: { jobId: 'j-1' },
      every_ms: 2_000,
      next_check_at: T0 + 2_000,
      timeout_at: null,
    });

    const event = { state: 'succeeded', result: 's3://out/part-0' };
    const first = await fire(deferral.id, { lease: 1, event });
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({ resumed: true });
    const second = await fire(deferral.id, { lease: 1, event: { state: 'failed' } });
    expect(second.json()).toEqual({ resumed: false });
    expect((await taskInstanceRow(harness.database, tiId)).state).toBe('scheduled');
    expect(attemptLog('extract')).toContain(
      'the wait fired (triggerer t1): task instance is scheduled to resume attempt 1',
    );

    await requeue(harness.database, tiId);
    const resumed = await harness.claim();
    expect(resumed).toMatchObject({ ti_id: tiId, try_number: 1, resumed_with: event });
    expect(await deferrals()).toEqual([]);
    const gone = await fire(deferral.id, { lease: 1, event });
    expect(gone.statusCode).toBe(404);
    expect(errorOf(gone)).toEqual({
      reason: 'deferral_not_found',
      message: expect.stringContaining('stop running this wait'),
    });
  });

  it("refuses reports that are not the holder's, too large or from the wrong token, and changes nothing", async () => {
    const { tiId, token } = await deferredTi();
    const [deferral] = (await lease()).json().deferrals;

    const other = await fire(deferral.id, { lease: 1, event: { x: 1 } }, triggererToken('t2'));
    expect(other.statusCode).toBe(409);
    expect(errorOf(other)).toEqual({
      reason: 'deferral_lease_lost',
      message: expect.stringContaining('another triggerer holds it now'),
    });
    expect((await fire(deferral.id, { lease: 2, event: { x: 1 } })).statusCode).toBe(409);
    const big = await fire(deferral.id, { lease: 1, event: { blob: 'x'.repeat(2_000) } });
    expect(big.statusCode).toBe(413);
    expect(errorOf(big).message).toContain(`the event of deferral ${deferral.id} is`);
    expect((await fire(999_999, { lease: 1, event: { x: 1 } })).statusCode).toBe(404);
    expect((await fire(deferral.id, { lease: 1 })).statusCode).toBe(422);
    expect((await fire(deferral.id, { lease: 1, event: { x: 1 } }, token)).statusCode).toBe(403);
    expect((await lease(t1, 't2')).statusCode).toBe(403);
    expect(
      (
        await harness.request({
          method: 'POST',
          url: '/execution/deferrals/abc/fire',
          token: t1,
          payload: { lease: 1, event: 1 },
        })
      ).statusCode,
    ).toBe(422);

    expect((await taskInstanceRow(harness.database, tiId)).state).toBe('deferred');
    expect(await deferrals()).toEqual([expect.objectContaining({ status: 'waiting', lease_owner: 't1' })]);
  });

  it('fails the try when its wait reports an error, with the retry policy, and logs why', async () => {
    const { tiId } = await deferredTi();
    const [deferral] = (await lease()).json().deferrals;
    harness.clock.advance(500);
    const response = await reportError(deferral.id, {
      lease: 1,
      error: 'poll "spark_job" threw: 503 from the job API',
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ state: 'up_for_retry', next_retry_at: T0 + 500 + 5_000 });
    expect((await taskInstanceRow(harness.database, tiId)).state).toBe('up_for_retry');
    expect(await deferrals()).toEqual([]);
    expect(attemptLog('extract')).toContain(
      'attempt 1 failed in its wait: poll "spark_job" threw: 503 from the job API; task instance is up_for_retry',
    );
  });

  it('takes new deferrals between renewals, only those, up to the capacity left; a long poll answers when one comes', async () => {
    const take = (payload: object, token = t1) =>
      harness.request({
        method: 'POST',
        url: '/execution/triggerers/t1/deferral-leases/new',
        token,
        payload: { hostname: 't1:1', capacity: 2, ...payload },
      });
    const first = await deferredTi('extract');
    const taken = await take({});
    expect(taken.statusCode).toBe(200);
    expect(taken.json().deferrals.map((d: { ti: { id: string } }) => d.ti.id)).toEqual([first.tiId]);
    expect((await take({})).json().deferrals).toEqual([]);

    const waiting = take({ wait_ms: 5_000 });
    const second = await deferredTi('load');
    const answered = await waiting;
    expect(answered.json().deferrals.map((d: { ti: { id: string } }) => d.ti.id)).toEqual([second.tiId]);

    // Full (capacity 2): a third waits for another triggerer, and the take answers at once.
    const third = await deferredTi('transform');
    expect((await take({ wait_ms: 5_000 })).json().deferrals).toEqual([]);
    expect((await take({ capacity: 3 })).json().deferrals.map((d: { ti: { id: string } }) => d.ti.id)).toEqual([
      third.tiId,
    ]);
    expect((await take({ wait_ms: 60_000 })).statusCode).toBe(422);
  });

  it('records idle checks and gives every lease back on DELETE', async () => {
    const { tiId } = await deferredTi();
    const [deferral] = (await lease()).json().deferrals;
    const checked = await lease(t1, 't1', {
      idle_checks: [{ deferral_id: deferral.id, lease: 1, checked_at: T0 + 2_100 }],
    });
    expect(checked.json().deferrals[0]).toMatchObject({ next_check_at: T0 + 4_100 });
    const released = await harness.request({
      method: 'DELETE',
      url: '/execution/triggerers/t1/deferral-leases',
      token: t1,
    });
    expect(released.statusCode).toBe(204);
    expect(await deferrals()).toEqual([expect.objectContaining({ ti_id: tiId, lease_owner: null, check_count: 1 })]);
    expect((await lease(triggererToken('t2'), 't2')).json().deferrals).toEqual([
      expect.objectContaining({ id: deferral.id, lease: 2 }),
    ]);
  });
});
