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
  taskInstanceRow,
} from '../testing/execution-harness.ts';
import { attemptLogPath } from './attempt-log.ts';
import { verifyExecutionToken } from './attempt-token.ts';

const CLAIM = '/execution/workloads/claim';

describe.each(eachDialect())('POST /execution/workloads/claim on %s', (dialect) => {
  let harness: ExecutionHarness;
  let run: SeededRun;

  beforeEach(async () => {
    harness = await openExecutionHarness(dialect, {
      scheduler: { task_heartbeat_timeout: '30s' },
      api: { token_ttl: '10m' },
    });
    run = await harness.seedRun('manual__1', { region: 'eu' });
  });
  afterEach(() => harness.close());

  it('answers 204 when nothing is queued', async () => {
    await harness.seedTi(run, { taskId: 'extract', state: 'scheduled' });
    const response = await harness.request({
      method: 'POST',
      url: CLAIM,
      token: harness.workerToken,
      payload: { worker: 'host:1' },
    });
    expect(response.statusCode).toBe(204);
    expect(response.body).toBe('');
  });

  it('with wait_ms, holds the claim until a TI is queued, then hands it out', async () => {
    const tiId = await harness.seedTi(run, { taskId: 'extract', state: 'scheduled' });
    const waiting = harness.nextClaimWaiting();
    const claim = harness.request({
      method: 'POST',
      url: CLAIM,
      token: harness.workerToken,
      payload: { worker: 'host:1', wait_ms: 20_000 },
    });
    await waiting;
    await harness.database.db.updateTable('task_instance').set({ state: 'queued' }).where('id', '=', tiId).execute();

    const response = await claim;

    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ ti_id: tiId, try_number: 1 });
  });

  it('with wait_ms over a real connection, the claim waits for work queued after it was sent', async () => {
    const tiId = await harness.seedTi(run, { taskId: 'extract', state: 'scheduled' });
    const origin = await harness.app.listen({ host: '127.0.0.1', port: 0 });
    const waiting = harness.nextClaimWaiting();
    const claim = fetch(`${origin}${CLAIM}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${harness.workerToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ worker: 'host:1', wait_ms: 20_000 }),
    });
    await waiting;
    await harness.database.db.updateTable('task_instance').set({ state: 'queued' }).where('id', '=', tiId).execute();

    const response = await claim;

    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ ti_id: tiId });
  });

  it('with wait_ms and nothing queued, answers 204 once the wait is over; over 30 s is 422', async () => {
    const waited = await harness.request({
      method: 'POST',
      url: CLAIM,
      token: harness.workerToken,
      payload: { worker: 'host:1', wait_ms: 100 },
    });
    expect(waited.statusCode).toBe(204);
    const tooLong = await harness.request({
      method: 'POST',
      url: CLAIM,
      token: harness.workerToken,
      payload: { worker: 'host:1', wait_ms: 60_000 },
    });
    expect(tooLong.statusCode).toBe(422);
    expect(errorOf(tooLong).message).toContain('wait_ms');
  });

  it('claims the oldest queued TI and describes the attempt', async () => {
    await harness.seedTi(run, { taskId: 'load', queuedAt: T0 + 20 });
    const oldest = await harness.seedTi(run, { taskId: 'extract', queuedAt: T0 + 10, maxTries: 3 });
    harness.clock.advance(1_000);

    const claimed = await harness.claim('host-a:42');

    expect(claimed).toEqual({
      token: expect.any(String),
      token_expires_at: T0 + 1_000 + 600_000,
      ti_id: oldest,
      dag_id: 'orders',
      run_id: 'manual__1',
      task_id: 'extract',
      map_index: -1,
      try_number: 1,
      max_tries: 3,
      fileloc: 'sales/orders-dag.ts',
      conf: { region: 'eu' },
      logical_date: T0,
      execution_timeout_ms: 60_000,
      heartbeat_interval_ms: 7_500,
    });
    expect(verifyExecutionToken(claimed.token, 'test-secret-key-test-secret-key-0123456789', T0)).toEqual({
      sub: oldest,
      kind: 'attempt',
      try: 1,
      iat: (T0 + 1_000) / 1000,
      exp: (T0 + 601_000) / 1000,
    });
    expect(await taskInstanceRow(harness.database, oldest)).toMatchObject({
      state: 'running',
      try_number: 1,
      worker: 'host-a:42',
      start_date: T0 + 1_000,
      heartbeat_at: T0 + 1_000,
    });
  });

  it('increments the try number and wipes the previous try’s XComs', async () => {
    const tiId = await harness.seedTi(run, { taskId: 'extract', tryNumber: 1, maxTries: 3 });
    await putXcom(harness.database, run, { taskId: 'extract', value: ['stale'] });
    await putXcom(harness.database, run, { taskId: 'extract', key: 'checkpoint', value: 3 });

    const claimed = await harness.claim();

    expect(claimed).toMatchObject({ ti_id: tiId, try_number: 2 });
    expect(await harness.database.db.selectFrom('xcom').selectAll().execute()).toEqual([]);
  });

  it('gives a mapped TI its element of the upstream’s returned array', async () => {
    await putXcom(harness.database, run, { taskId: 'extract', value: ['a.csv', 'b.csv', 'c.csv'] });
    await harness.seedTi(run, { taskId: 'transform', mapIndex: 2 });
    const claimed = await harness.claim();
    expect(claimed).toMatchObject({ task_id: 'transform', map_index: 2, map_item: 'c.csv' });
  });

  it('fails a mapped TI whose element is missing, logs why, and hands out the next TI', async () => {
    await putXcom(harness.database, run, { taskId: 'extract', value: ['only'] });
    const unmappable = await harness.seedTi(run, { taskId: 'transform', mapIndex: 5, maxTries: 4, queuedAt: T0 });
    const next = await harness.seedTi(run, { taskId: 'load', queuedAt: T0 + 1 });

    const claimed = await harness.claim();

    expect(claimed.ti_id).toBe(next);
    expect(await taskInstanceRow(harness.database, unmappable)).toMatchObject({ state: 'failed', try_number: 1 });
    const log = readFileSync(
      attemptLogPath(harness.logsFolder, {
        dagId: 'orders',
        runId: 'manual__1',
        taskId: 'transform',
        mapIndex: 5,
        tryNumber: 1,
      }),
      'utf8',
    );
    expect(log).toMatch(/ ERROR \[server\] cannot run: .*map index 5 is out of range/);
  });

  it('gives 5 queued TIs to 20 concurrent claims, each exactly once', async () => {
    await putXcom(harness.database, run, { taskId: 'extract', value: [0, 1, 2, 3, 4] });
    const ids = new Set<string>();
    for (let index = 0; index < 5; index++) {
      ids.add(await harness.seedTi(run, { taskId: 'transform', mapIndex: index, queuedAt: T0 + index }));
    }
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, worker) =>
        harness.request({ method: 'POST', url: CLAIM, token: harness.workerToken, payload: { worker: `w${worker}` } }),
      ),
    );
    const statuses = responses.map((response) => response.statusCode).sort();
    expect(statuses).toEqual([...Array(5).fill(200), ...Array(15).fill(204)]);
    const claimed = responses.filter((response) => response.statusCode === 200).map((response) => response.json());
    expect(new Set(claimed.map((body) => body.ti_id))).toEqual(ids);
    expect(claimed.map((body) => body.map_item).sort()).toEqual([0, 1, 2, 3, 4]);
    const rows = await harness.database.db.selectFrom('task_instance').select(['state', 'try_number']).execute();
    expect(rows).toEqual(Array(5).fill({ state: 'running', try_number: 1 }));
  });

  it('claims a retried TI again at its next try', async () => {
    const tiId = await harness.seedTi(run, { taskId: 'extract', maxTries: 2 });
    const first = await harness.claim();
    await requeue(harness.database, tiId);
    const second = await harness.claim();
    expect([first.try_number, second.try_number]).toEqual([1, 2]);
    expect(second.token).not.toBe(first.token);
  });

  it('refuses an attempt token (403), no token (401) and a bad body (422)', async () => {
    await harness.seedTi(run, { taskId: 'extract' });
    const claimed = await harness.claim();

    const withAttemptToken = await harness.request({
      method: 'POST',
      url: CLAIM,
      token: claimed.token,
      payload: { worker: 'w' },
    });
    expect(withAttemptToken.statusCode).toBe(403);
    expect(errorOf(withAttemptToken)).toEqual({
      reason: 'forbidden',
      message: expect.stringContaining('claiming work needs a worker token'),
    });

    const anonymous = await harness.request({ method: 'POST', url: CLAIM, payload: { worker: 'w' } });
    expect(anonymous.statusCode).toBe(401);
    expect(errorOf(anonymous).reason).toBe('invalid_token');

    const badBody = await harness.request({
      method: 'POST',
      url: CLAIM,
      token: harness.workerToken,
      payload: { worker: '' },
    });
    expect(badBody.statusCode).toBe(422);
    expect(errorOf(badBody)).toEqual({
      reason: 'validation_error',
      message: expect.stringMatching(/^invalid request body: worker: /),
    });

    const noBody = await harness.request({ method: 'POST', url: CLAIM, token: harness.workerToken });
    expect(noBody.statusCode).toBe(422);
    expect(errorOf(noBody).message).toMatch(/a JSON body is required/);
  });

  describe('batch claims (max_attempts)', () => {
    const claimBatch = (maxAttempts: unknown, worker = 'host:1') =>
      harness.request({
        method: 'POST',
        url: CLAIM,
        token: harness.workerToken,
        payload: { worker, max_attempts: maxAttempts },
      });

    it('hands out up to max_attempts of the oldest queued TIs, oldest first, then the rest, then 204', async () => {
      const ids: string[] = [];
      for (let index = 0; index < 5; index++) {
        ids.push(await harness.seedTi(run, { taskId: `task_${index}`, queuedAt: T0 + 10 - index }));
      }
      const oldestFirst = [...ids].reverse();

      const first = await claimBatch(3);
      expect(first.statusCode).toBe(200);
      const firstAttempts = first.json().attempts as { ti_id: string; try_number: number; token: string }[];
      expect(firstAttempts.map((attempt) => attempt.ti_id)).toEqual(oldestFirst.slice(0, 3));
      expect(firstAttempts.every((attempt) => attempt.try_number === 1)).toBe(true);
      for (const attempt of firstAttempts) {
        expect(verifyExecutionToken(attempt.token, 'test-secret-key-test-secret-key-0123456789', T0)).toMatchObject({
          sub: attempt.ti_id,
          kind: 'attempt',
          try: 1,
        });
      }

      const second = await claimBatch(10);
      expect(second.json().attempts.map((attempt: { ti_id: string }) => attempt.ti_id)).toEqual(oldestFirst.slice(3));
      expect((await claimBatch(10)).statusCode).toBe(204);
      const rows = await harness.database.db.selectFrom('task_instance').select(['state', 'worker']).execute();
      expect(rows).toEqual(Array(5).fill({ state: 'running', worker: 'host:1' }));
    });

    it('fails an unmappable TI inside a batch and hands out the others', async () => {
      await putXcom(harness.database, run, { taskId: 'extract', value: ['only'] });
      const unmappable = await harness.seedTi(run, { taskId: 'transform', mapIndex: 5, queuedAt: T0 });
      const mapped = await harness.seedTi(run, { taskId: 'transform', mapIndex: 0, queuedAt: T0 + 1 });
      const next = await harness.seedTi(run, { taskId: 'load', queuedAt: T0 + 2 });

      const response = await claimBatch(5);

      expect(response.json().attempts).toMatchObject([{ ti_id: mapped, map_item: 'only' }, { ti_id: next }]);
      expect(await taskInstanceRow(harness.database, unmappable)).toMatchObject({ state: 'failed' });
    });

    it('gives 12 queued TIs to 6 racing batch claims, each exactly once and never more than asked', async () => {
      const ids = new Set<string>();
      for (let index = 0; index < 12; index++) {
        ids.add(await harness.seedTi(run, { taskId: `task_${index}`, queuedAt: T0 + index }));
      }
      const responses = await Promise.all(Array.from({ length: 6 }, (_, worker) => claimBatch(4, `w${worker}`)));
      const batches = responses
        .filter((response) => response.statusCode === 200)
        .map((response) => response.json().attempts as { ti_id: string }[]);
      expect(batches.every((attempts) => attempts.length >= 1 && attempts.length <= 4)).toBe(true);
      const claimed = batches.flat().map((attempt) => attempt.ti_id);
      expect(claimed).toHaveLength(12);
      expect(new Set(claimed)).toEqual(ids);
      const rows = await harness.database.db.selectFrom('task_instance').select(['state', 'try_number']).execute();
      expect(rows).toEqual(Array(12).fill({ state: 'running', try_number: 1 }));
    });

    it.each([
      [0, /max_attempts/],
      [257, /max_attempts/],
      [1.5, /max_attempts/],
      ['3', /max_attempts/],
    ])('refuses max_attempts %j with a 422 naming it, claiming nothing', async (maxAttempts, message) => {
      const tiId = await harness.seedTi(run, { taskId: 'extract' });
      const response = await claimBatch(maxAttempts);
      expect(response.statusCode).toBe(422);
      expect(errorOf(response)).toEqual({ reason: 'validation_error', message: expect.stringMatching(message) });
      expect(await taskInstanceRow(harness.database, tiId)).toMatchObject({ state: 'queued', try_number: 0 });
    });
  });
});
