import { eachDialect } from '@tidemark/db/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ExecutionHarness, openExecutionHarness } from './testing/execution-harness.ts';

describe.each(eachDialect())('GET /health on %s', (dialect) => {
  let harness: ExecutionHarness;

  beforeEach(async () => {
    harness = await openExecutionHarness(dialect);
  });
  afterEach(() => harness.close().catch(() => undefined));

  it('answers ok when the database answers, without a token', async () => {
    const response = await harness.app.inject({ method: 'GET', url: '/health' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok', database: 'ok' });
  });

  it('answers 503 when the database is down', async () => {
    await harness.database.close();
    const response = await harness.app.inject({ method: 'GET', url: '/health' });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toEqual({ status: 'unavailable', database: 'unavailable' });
  });
});
