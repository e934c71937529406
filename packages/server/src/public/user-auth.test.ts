import { hashPassword, signJwt, type UserRole } from '@tidemark/core';
import { createUser } from '@tidemark/db';
import { eachDialect } from '@tidemark/db/testing';
import type { LightMyRequestResponse } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { issueAttemptToken, issueWorkerToken } from '../execution/attempt-token.ts';
import {
  type ExecutionHarness,
  errorOf,
  openExecutionHarness,
  SECRET_KEY,
  SESSION_KEY,
  T0,
} from '../testing/execution-harness.ts';
import { UserAuth } from './user-auth.ts';

const HOUR_MS = 3_600_000;
const OTHER_SECRET = 'another-secret-another-secret-0123456789';

/**
 * `UserAuth.requireRole` as routes use it: tiny routes under /auth-test, one per role, on a real
 * api-server app (buildApiServer on a real database) and a `UserAuth` with the app's key and clock.
 */
describe.each(eachDialect())('UserAuth.requireRole on %s', (dialect) => {
  let harness: ExecutionHarness;
  let auth: UserAuth;
  beforeEach(async () => {
    harness = await openExecutionHarness(dialect);
    auth = new UserAuth(SESSION_KEY, harness.clock.now);
    for (const role of ['viewer', 'op', 'admin'] as const) {
      harness.app.get(`/auth-test/${role}`, { preHandler: auth.requireRole(role) }, async (request) => ({
        user: request.user,
      }));
    }
  });
  afterEach(() => harness.close());

  const tokenOf = (username: string, role: UserRole) => auth.issue(username, role, HOUR_MS).token;
  const call = (required: UserRole, authorization?: string): Promise<LightMyRequestResponse> =>
    harness.request({
      method: 'GET',
      url: `/auth-test/${required}`,
      headers: authorization === undefined ? {} : { authorization },
    });

  function expectUnauthorized(response: LightMyRequestResponse, message: RegExp): void {
    expect(response.statusCode).toBe(401);
    expect(errorOf(response)).toEqual({ reason: 'invalid_token', message: expect.stringMatching(message) });
  }

  it('lets a user through with its claims on request.user, for its role and every role below it', async () => {
    const response = await call('op', `Bearer ${tokenOf('olga', 'op')}`);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      user: { sub: 'olga', kind: 'user', role: 'op', iat: T0 / 1000, exp: (T0 + HOUR_MS) / 1000 },
    });
    expect((await call('viewer', `Bearer ${tokenOf('olga', 'op')}`)).statusCode).toBe(200);
    expect((await call('op', `bearer  ${tokenOf('ada', 'admin')}`)).statusCode).toBe(200);
    expect((await call('admin', `Bearer ${tokenOf('ada', 'admin')}`)).statusCode).toBe(200);
  });

  it('answers 403 forbidden below the required role, naming both roles', async () => {
    const viewerOnOp = await call('op', `Bearer ${tokenOf('vic', 'viewer')}`);
    expect(viewerOnOp.statusCode).toBe(403);
    expect(errorOf(viewerOnOp)).toEqual({
      reason: 'forbidden',
      message: 'this needs the role "op"; user "vic" has "viewer"',
    });
    const opOnAdmin = await call('admin', `Bearer ${tokenOf('olga', 'op')}`);
    expect(opOnAdmin.statusCode).toBe(403);
    expect(errorOf(opOnAdmin).message).toBe('this needs the role "admin"; user "olga" has "op"');
  });

  it('answers 401 without a token, or with a malformed, forged, tampered or expired one', async () => {
    const valid = tokenOf('vic', 'viewer');
    const [header, , signature] = valid.split('.');
    const payload = Buffer.from(
      JSON.stringify({ sub: 'vic', kind: 'user', role: 'admin', iat: T0 / 1000, exp: (T0 + HOUR_MS) / 1000 }),
    ).toString('base64url');
    const forged = new UserAuth(OTHER_SECRET, harness.clock.now).issue('mallory', 'admin', HOUR_MS).token;

    expectUnauthorized(await call('viewer'), /^invalid token: send "Authorization: Bearer <token>"/);
    expectUnauthorized(await call('viewer', valid), /send "Authorization: Bearer <token>"/);
    expectUnauthorized(await call('viewer', `Basic ${valid}`), /send "Authorization: Bearer <token>"/);
    expectUnauthorized(await call('viewer', 'Bearer not-a-jwt'), /not a JWT/);
    expectUnauthorized(await call('viewer', `Bearer ${forged}`), /bad signature/);
    expectUnauthorized(await call('viewer', `Bearer ${header}.${payload}.${signature}`), /bad signature/);

    harness.clock.advance(HOUR_MS);
    expectUnauthorized(await call('viewer', `Bearer ${valid}`), /expired/);
  });

  it('answers 401 for execution tokens (worker or attempt) and for a user token without a known role', async () => {
    const worker = issueWorkerToken(SECRET_KEY, HOUR_MS, T0);
    const attempt = issueAttemptToken(SECRET_KEY, { tiId: 'ti-1', tryNumber: 1 }, HOUR_MS, T0).token;
    const exp = (T0 + HOUR_MS) / 1000;
    const noRole = signJwt({ sub: 'eve', kind: 'user', exp }, SESSION_KEY);
    const unknownRole = signJwt({ sub: 'eve', kind: 'user', role: 'root', exp }, SESSION_KEY);

    for (const token of [worker, attempt]) {
      expectUnauthorized(await call('viewer', `Bearer ${token}`), /bad signature/);
    }
    for (const token of [noRole, unknownRole]) {
      expectUnauthorized(await call('viewer', `Bearer ${token}`), /role/);
    }
  });

  it('refuses an admin token minted with the execution secret key that workers and tasks can read', async () => {
    const exp = (T0 + HOUR_MS) / 1000;
    const minted = signJwt({ sub: 'task-code', kind: 'user', role: 'admin', exp }, SECRET_KEY);
    expectUnauthorized(await call('admin', `Bearer ${minted}`), /bad signature/);
  });

  it('accepts the token POST /auth/token returns, and a real /api/v2 route refuses a request without one', async (context) => {
    await createUser(
      harness.database.db,
      { username: 'vic', passwordHash: await hashPassword('vic-password'), role: 'viewer' },
      T0,
    );
    const login = await harness.request({
      method: 'POST',
      url: '/auth/token',
      payload: { username: 'vic', password: 'vic-password' },
    });
    const access = login.json().access_token as string;
    const allowed = await call('viewer', `Bearer ${access}`);
    expect(allowed.json()).toMatchObject({ user: { sub: 'vic', role: 'viewer' } });
    expect(errorOf(await call('op', `Bearer ${access}`)).reason).toBe('forbidden');

    // The /api/v2 routes are written in parallel; check one once it exists.
    context.skip(!harness.app.hasRoute({ method: 'GET', url: '/api/v2/dags' }), 'GET /api/v2/dags is not there yet');
    expectUnauthorized(await harness.request({ method: 'GET', url: '/api/v2/dags' }), /Authorization: Bearer/);
    expect((await harness.request({ method: 'GET', url: '/api/v2/dags', token: access })).statusCode).toBe(200);
  });
});
