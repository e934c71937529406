import { createServer } from 'node:net';
import { TidemarkError } from '@tidemark/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExecutionApiUnreachableError } from '../errors.ts';
import { ExecutionApiClient } from './execution-api-client.ts';
import { isStaleAttemptError, isTransientApiError } from './execution-api-errors.ts';
import { openWorkerTestWorld, TEST_SECRET_KEY, type WorkerTestWorld } from './fixtures/worker-test-world.ts';

describe('ExecutionApiClient', () => {
  let world: WorkerTestWorld;
  beforeAll(async () => {
    world = await openWorkerTestWorld('sqlite');
  });
  afterAll(() => world.close());

  it('returns null when nothing is queued', async () => {
    expect(await world.api.claim('test-worker:1')).toBeNull();
  });

  it('throws the server error body as a TidemarkError with its reason and status', async () => {
    const forged = new ExecutionApiClient({ apiUrl: world.apiUrl, secretKey: `${TEST_SECRET_KEY}-not-it` });

    const error = await forged.claim('test-worker:1').catch((thrown: unknown) => thrown);

    expect(error).toBeInstanceOf(TidemarkError);
    expect(error).toMatchObject({ code: 'invalid_token', details: { status: 401 } });
    expect(isTransientApiError(error)).toBe(false);
  });

  it('throws a retryable transport error when the api-server cannot be reached', async () => {
    const nowhere = new ExecutionApiClient({
      apiUrl: `http://127.0.0.1:${await closedPort()}`,
      secretKey: TEST_SECRET_KEY,
    });

    const error = await nowhere.claim('test-worker:1').catch((thrown: unknown) => thrown);

    expect(error).toBeInstanceOf(ExecutionApiUnreachableError);
    expect((error as Error).message).toContain('ECONNREFUSED');
    expect(isTransientApiError(error)).toBe(true);
  });

  it('answers stale_attempt to a heartbeat of an attempt whose TI moved on', async () => {
    const run = await world.trigger('worker_basics');
    const tiId = await world.queue(run, 'noop');
    const claimed = await world.api.claim('test-worker:1');
    if (!claimed) throw new Error('nothing was claimable');
    const attempt = world.api.forAttempt(claimed);
    await attempt.heartbeat();
    await world.database.db.updateTable('task_instance').set({ state: 'success' }).where('id', '=', tiId).execute();

    const error = await attempt.heartbeat().catch((thrown: unknown) => thrown);

    expect(isStaleAttemptError(error)).toBe(true);
    expect(error).toMatchObject({ details: { status: 409 } });
  });
});

/** A loopback port nothing listens on (it was free a moment ago). */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
