import {
  HTTP_STATUS_OF_ERROR,
  InvalidTokenError,
  StaleAttemptError,
  TidemarkError,
  ValueTooLargeError,
} from '@tidemark/core';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ForbiddenError, XcomNotFoundError } from '../errors.ts';
import { describeError, installErrorHandling } from './error-handler.ts';

describe('the error handler', () => {
  it('maps TidemarkError codes to statuses with {detail: {reason, message}}', () => {
    expect(describeError(new InvalidTokenError('expired'))).toEqual([
      401,
      { detail: { reason: 'invalid_token', message: 'invalid token: expired' } },
    ]);
    expect(describeError(new ForbiddenError('no'))[0]).toBe(403);
    expect(describeError(new XcomNotFoundError({ runId: 'r', taskId: 't', mapIndex: -1, key: 'k' }))[0]).toBe(404);
    expect(describeError(new StaleAttemptError('ti', 1, 'gone'))[0]).toBe(409);
    expect(describeError(new ValueTooLargeError(10, 5))[0]).toBe(413);
  });

  it('answers 500 for a code that is never meant to reach HTTP, keeping the reason', () => {
    expect(describeError(new TidemarkError('task_failed', 'a task process error'))).toEqual([
      500,
      { detail: { reason: 'task_failed', message: 'a task process error' } },
    ]);
  });

  it('maps every API error code to a 4xx or 5xx status, and refuses unknown codes at compile time', () => {
    for (const [code, status] of Object.entries(HTTP_STATUS_OF_ERROR)) {
      expect(status, code).toBeGreaterThanOrEqual(400);
      expect(describeError(new TidemarkError(code as keyof typeof HTTP_STATUS_OF_ERROR, 'x'))[0]).toBe(status);
    }
    // @ts-expect-error a code outside the closed set (a typo) does not compile
    expect(new TidemarkError('stale_atempt', 'typo').code).toBe('stale_atempt');
  });

  it('answers 422 for a zod error, naming the field', () => {
    const result = z.strictObject({ worker: z.string() }).safeParse({ worker: 1 });
    expect(describeError(result.error)).toEqual([
      422,
      { detail: { reason: 'validation_error', message: expect.stringMatching(/^invalid request: worker: /) } },
    ]);
  });

  it('answers 500 with a generic message for anything else, and logs it', async () => {
    const logged: unknown[] = [];
    const app = Fastify({
      logger: { level: 'error', hooks: { logMethod: (args) => void logged.push(args[0]) } },
    });
    installErrorHandling(app);
    app.get('/boom', async () => {
      throw new TypeError('secret internals');
    });
    const response = await app.inject({ method: 'GET', url: '/boom' });
    expect(response.statusCode).toBe(500);
    expect(response.json()).toEqual({
      detail: {
        reason: 'internal_error',
        message: 'internal server error; the api-server log has the details under this request_id',
        request_id: response.headers['x-request-id'] ?? expect.any(String),
      },
    });
    expect(response.body).not.toContain('secret internals');
    expect(logged).toEqual([expect.objectContaining({ err: expect.any(TypeError) })]);
    await app.close();
  });

  it('answers 415 for a body that is not JSON', async () => {
    const app = Fastify();
    installErrorHandling(app);
    app.post('/x', async () => ({}));
    const response = await app.inject({
      method: 'POST',
      url: '/x',
      headers: { 'content-type': 'text/csv' },
      payload: 'a,b',
    });
    expect(response.statusCode).toBe(415);
    expect(response.json().detail.reason).toBe('unsupported_media_type');
    await app.close();
  });
});
