import { hashPassword, verifyJwt } from '@tidemark/core';
import { createUser } from '@tidemark/db';
import { eachDialect } from '@tidemark/db/testing';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type ExecutionHarness, errorOf, openExecutionHarness, SESSION_KEY, T0 } from '../testing/execution-harness.ts';
import { publicDocument } from './public-api.ts';
import { UserAuth } from './user-auth.ts';

const HOUR_MS = 3_600_000;

describe.each(eachDialect())('POST /auth/token on %s', (dialect) => {
  let harness: ExecutionHarness;
  let opHash: string;
  beforeAll(async () => {
    opHash = await hashPassword('right-password');
  });
  beforeEach(async () => {
    harness = await openExecutionHarness(dialect, { api: { user_token_ttl: '1h' } });
    await createUser(harness.database.db, { username: 'olga', passwordHash: opHash, role: 'op' }, T0);
  });
  afterEach(() => harness.close());

  const token = (payload: unknown) =>
    harness.request({ method: 'POST', url: '/auth/token', payload: payload as object });

  it('exchanges the right password for a bearer token whose claims carry the role', async () => {
    const response = await token({ username: 'olga', password: 'right-password' });

    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toEqual({
      access_token: expect.any(String),
      token_type: 'bearer',
      expires_at: new Date(T0 + HOUR_MS).toISOString(),
    });
    expect(verifyJwt(body.access_token, SESSION_KEY, T0)).toEqual({
      sub: 'olga',
      kind: 'user',
      role: 'op',
      iat: T0 / 1000,
      exp: (T0 + HOUR_MS) / 1000,
    });
    const auth = new UserAuth(SESSION_KEY, harness.clock.now);
    expect(auth.authenticate(`Bearer ${body.access_token}`)).toMatchObject({ sub: 'olga', role: 'op' });
    harness.clock.advance(HOUR_MS);
    expect(() => auth.authenticate(`Bearer ${body.access_token}`)).toThrow('invalid token: expired');
  });

  it('answers 401 invalid_credentials with the same message for a wrong password and an unknown user', async () => {
    const wrongPassword = await token({ username: 'olga', password: 'wrong-password' });
    const unknownUser = await token({ username: 'nobody', password: 'right-password' });

    for (const response of [wrongPassword, unknownUser]) {
      expect(response.statusCode).toBe(401);
      expect(errorOf(response)).toEqual({ reason: 'invalid_credentials', message: 'wrong username or password' });
    }
    expect(unknownUser.body).toBe(wrongPassword.body);
  });

  it('answers 422 validation_error for missing, empty or extra fields, and a body that is not an object', async () => {
    for (const payload of [
      {},
      { username: 'olga' },
      { password: 'right-password' },
      { username: '', password: 'right-password' },
      { username: 'olga', password: '' },
      { username: 'olga', password: 12345678 },
      { username: 'olga', password: 'right-password', role: 'admin' },
      [],
    ]) {
      const response = await token(payload);
      expect([JSON.stringify(payload), response.statusCode]).toEqual([JSON.stringify(payload), 422]);
      expect(errorOf(response).reason).toBe('validation_error');
    }
    const noBody = await harness.request({ method: 'POST', url: '/auth/token' });
    expect(noBody.statusCode).toBe(422);
  });

  it('issues a token that the execution API refuses (401), since it names a person, not an attempt', async () => {
    const access = (await token({ username: 'olga', password: 'right-password' })).json().access_token as string;
    const claim = await harness.request({
      method: 'POST',
      url: '/execution/workloads/claim',
      token: access,
      payload: { worker: 'host:1' },
    });
    expect(claim.statusCode).toBe(401);
    expect(errorOf(claim).reason).toBe('invalid_token');
  });

  it('is in the OpenAPI document as a route that needs no bearer token', async () => {
    await harness.app.ready();
    const document = publicDocument(harness.app) as {
      paths: Record<string, { post?: { security?: unknown; requestBody?: unknown } }>;
    };
    const route = document.paths['/auth/token']?.post;
    expect(route?.requestBody).toBeDefined();
    expect(route?.security).toEqual([]);
  });
});
