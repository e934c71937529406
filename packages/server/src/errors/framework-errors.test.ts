import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ExecutionHarness, errorOf, openExecutionHarness } from '../testing/execution-harness.ts';
import { MAX_PATH_PARAMETER_LENGTH } from './framework-errors.ts';

describe('router errors (issue 13, item 9)', () => {
  let harness: ExecutionHarness;
  beforeAll(async () => {
    harness = await openExecutionHarness('sqlite');
  });
  afterAll(() => harness.close());

  it('answers a broken percent-encoding with 400 bad_url in the {detail} body', async () => {
    for (const url of ['/api/v2/dags/%ZZ', '/execution/store/ti/%FF/k', '/api/v2/dags/%']) {
      const response = await harness.request({ method: 'GET', url });
      expect(response.statusCode, url).toBe(400);
      expect(errorOf(response)).toEqual({ reason: 'bad_url', message: expect.stringContaining('percent-encode') });
    }
  });

  it('answers a path parameter longer than any valid key with 414 in the {detail} body, naming the limit', async () => {
    const url = `/execution/store/ti/x/${'k'.repeat(MAX_PATH_PARAMETER_LENGTH + 1)}`;
    const response = await harness.request({ method: 'PUT', url, payload: { value: 1 } });
    expect(response.statusCode).toBe(414);
    expect(errorOf(response)).toEqual({
      reason: 'path_parameter_too_long',
      message: expect.stringContaining(String(MAX_PATH_PARAMETER_LENGTH)),
    });
  });

  it('answers a path no route serves with 404 in the {detail} body', async () => {
    for (const [method, url] of [
      ['GET', '/api/v2/nothing-here'],
      ['POST', '/execution/nothing/here'],
      ['DELETE', '/api/v2/dags'],
    ] as const) {
      const response = await harness.request({ method, url });
      expect(response.statusCode, url).toBe(404);
      expect(errorOf(response).reason).toBe('not_found');
    }
  });
});
