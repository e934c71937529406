import { eachDialect } from '@tidemark/db/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type ExecutionHarness,
  errorOf,
  openExecutionHarness,
  SECRET_KEY,
  type SeededRun,
  T0,
} from '../testing/execution-harness.ts';
import { verifyExecutionToken } from './attempt-token.ts';

describe.each(eachDialect())('POST /execution/token/refresh on %s', (dialect) => {
  let harness: ExecutionHarness;
  let run: SeededRun;

  beforeEach(async () => {
    harness = await openExecutionHarness(dialect, { api: { token_ttl: '1m' } });
    run = await harness.seedRun();
  });
  afterEach(() => harness.close());

  const refresh = (token: string) => harness.request({ method: 'POST', url: '/execution/token/refresh', token });

  it('issues a later-expiring token for the same attempt, which keeps working after the first expires', async () => {
    const tiId = await harness.seedTi(run, { taskId: 'extract' });
    const claimed = await harness.claim();
    harness.clock.advance(50_000);

    const response = await refresh(claimed.token);

    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toEqual({ token: expect.any(String), token_expires_at: T0 + 110_000 });
    expect(verifyExecutionToken(body.token, SECRET_KEY, T0)).toMatchObject({ sub: tiId, kind: 'attempt', try: 1 });
    harness.clock.advance(20_000);
    const url = `/execution/task-instances/${tiId}/heartbeat`;
    expect((await harness.request({ method: 'PUT', url, token: claimed.token })).statusCode).toBe(401);
    expect((await harness.request({ method: 'PUT', url, token: body.token })).statusCode).toBe(204);
  });

  it('answers 409 once the attempt is no longer running', async () => {
    const tiId = await harness.seedTi(run, { taskId: 'extract' });
    const claimed = await harness.claim();
    await harness.database.db.updateTable('task_instance').set({ state: 'success' }).where('id', '=', tiId).execute();
    const response = await refresh(claimed.token);
    expect(response.statusCode).toBe(409);
    expect(errorOf(response).reason).toBe('stale_attempt');
  });
});
