import { randomUUID } from 'node:crypto';
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
import { issueAttemptToken, issueWorkerToken } from './attempt-token.ts';

/** Every attempt route, for a TI id. */
function attemptRoutes(tiId: string) {
  return [
    { method: 'PUT', url: `/execution/task-instances/${tiId}/heartbeat` },
    { method: 'PATCH', url: `/execution/task-instances/${tiId}/state`, payload: { state: 'skipped', reason: 'x' } },
    { method: 'POST', url: `/execution/task-instances/${tiId}/logs`, payload: { lines: [] } },
    { method: 'GET', url: `/execution/task-instances/${tiId}/xcom?task_id=extract` },
    { method: 'PUT', url: `/execution/task-instances/${tiId}/xcom/rows`, payload: { value: 1 } },
  ] as const;
}

describe.each(eachDialect())('execution API auth on %s', (dialect) => {
  let harness: ExecutionHarness;
  let run: SeededRun;
  let tiId: string;
  let token: string;

  beforeEach(async () => {
    harness = await openExecutionHarness(dialect);
    run = await harness.seedRun();
    tiId = await harness.seedTi(run, { taskId: 'extract' });
    token = (await harness.claim()).token;
  });
  afterEach(() => harness.close());

  it('accepts the attempt’s own token on every attempt route', async () => {
    for (const route of attemptRoutes(tiId)) {
      const response = await harness.request({ ...route, token });
      expect([route.url, response.statusCode]).not.toEqual([route.url, 401]);
      expect([route.url, response.statusCode]).not.toEqual([route.url, 403]);
    }
  });

  it('answers 401 invalid_token without a token, with a forged one, and with an expired one', async () => {
    const forged = issueAttemptToken('another-secret-another-secret-0123456789', { tiId, tryNumber: 1 }, 600_000, T0);
    const expired = issueAttemptToken(SECRET_KEY, { tiId, tryNumber: 1 }, 60_000, T0 - 120_000);
    const cases = [
      { headers: {}, message: /no Authorization header/ },
      { headers: { authorization: token }, message: /must be "Bearer <token>"/ },
      { headers: { authorization: 'Bearer not-a-jwt' }, message: /not a JWT/ },
      { headers: { authorization: `Bearer ${forged.token}` }, message: /bad signature/ },
      { headers: { authorization: `Bearer ${expired.token}` }, message: /expired/ },
    ];
    for (const route of attemptRoutes(tiId)) {
      for (const { headers, message } of cases) {
        const response = await harness.request({ ...route, headers });
        expect(response.statusCode).toBe(401);
        expect(errorOf(response)).toEqual({ reason: 'invalid_token', message: expect.stringMatching(message) });
      }
    }
  });

  it('stops accepting a cached token once it expires', async () => {
    const url = `/execution/task-instances/${tiId}/heartbeat`;
    expect((await harness.request({ method: 'PUT', url, token })).statusCode).toBe(204);
    harness.clock.advance(harness.config.api.token_ttl + 1_000);
    const response = await harness.request({ method: 'PUT', url, token });
    expect(response.statusCode).toBe(401);
    expect(errorOf(response).message).toMatch(/expired/);
  });

  it('answers 403 forbidden, naming both TIs, to a token used on another TI', async () => {
    const other = await harness.seedTi(run, { taskId: 'load' });
    for (const route of attemptRoutes(other)) {
      const response = await harness.request({ ...route, token });
      expect(response.statusCode).toBe(403);
      expect(errorOf(response)).toEqual({
        reason: 'forbidden',
        message: `the token of task instance ${tiId} may not act on task instance ${other}; use that attempt's own token`,
      });
    }
  });

  it('answers 403 to a worker token on the attempt routes', async () => {
    const routes = [...attemptRoutes(tiId), { method: 'POST', url: '/execution/token/refresh' } as const];
    for (const route of routes) {
      const response = await harness.request({ ...route, token: harness.workerToken });
      expect(response.statusCode).toBe(403);
      expect(errorOf(response).message).toMatch(/needs the attempt token returned by the claim/);
    }
  });

  it('answers 401 to a token of an unknown kind', async () => {
    const { signJwt } = await import('@tidemark/core');
    const odd = signJwt({ sub: 'worker', kind: 'admin', exp: T0 / 1000 + 600 }, SECRET_KEY);
    const response = await harness.request({
      method: 'POST',
      url: '/execution/workloads/claim',
      token: odd,
      payload: { worker: 'w' },
    });
    expect(response.statusCode).toBe(401);
    expect(errorOf(response).message).toMatch(/not an execution token/);
  });

  it('answers 404 not_found for an unknown route, in the error shape', async () => {
    const response = await harness.request({ method: 'GET', url: `/execution/nothing/${randomUUID()}`, token });
    expect(response.statusCode).toBe(404);
    expect(errorOf(response).reason).toBe('not_found');
  });

  it('lets a freshly minted worker token claim', async () => {
    const response = await harness.request({
      method: 'POST',
      url: '/execution/workloads/claim',
      token: issueWorkerToken(SECRET_KEY, 60_000, T0),
      payload: { worker: 'w' },
    });
    expect(response.statusCode).toBe(204);
  });
});
