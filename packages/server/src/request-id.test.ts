import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { configSchema, type TidemarkConfig } from '@tidemark/core';
import { eachDialect, openTestDatabaseFor, type TestDatabase } from '@tidemark/db/testing';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApiServer } from './app.ts';

const SECRET_KEY = 'request-id-secret-key-request-id-secret-key-0123';
const SESSION_KEY = 'request-id-session-key-request-id-session-key-0123';

/** Collects the api-server's log lines (pino JSON), as a log shipper would read them. */
function logCapture(): { stream: Writable; lines: () => Record<string, unknown>[] } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString('utf8');
      done();
    },
  });
  const lines = () =>
    text
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { stream, lines };
}

describe.each(eachDialect())('5xx answers and the api-server log, on %s', (dialect) => {
  let app: FastifyInstance | undefined;
  let test: TestDatabase | undefined;
  let home: string | undefined;

  afterEach(async () => {
    await app?.close();
    await test?.destroy().catch(() => undefined);
    if (home) rmSync(home, { recursive: true, force: true });
    app = undefined;
    test = undefined;
  });

  it('logs every 5xx with its stack under the request id that the answer carries', async () => {
    test = await openTestDatabaseFor(dialect);
    home = mkdtempSync(join(tmpdir(), 'tidemark-request-id-'));
    const config: TidemarkConfig = { ...configSchema.parse({}), home, database: { url: test.url } };
    const log = logCapture();
    app = await buildApiServer({
      config,
      database: test.database,
      secretKey: SECRET_KEY,
      sessionKey: SESSION_KEY,
      logsFolder: join(home, 'logs'),
      logger: { level: 'info', stream: log.stream },
    });
    // A closed connection pool is a bug, not an outage: a real 500 from a real route.
    await test.database.close();

    const response = await app.inject({
      method: 'POST',
      url: '/auth/token',
      payload: { username: 'someone', password: 'a password' },
    });

    expect(response.statusCode).toBe(500);
    const requestId = response.headers['x-request-id'];
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.json()).toEqual({
      detail: {
        reason: 'internal_error',
        message: 'internal server error; the api-server log has the details under this request_id',
        request_id: requestId,
      },
    });
    const logged = log.lines().filter((line) => line.request_id === requestId);
    expect(logged).toEqual([
      expect.objectContaining({
        level: 50,
        msg: 'request failed: POST /auth/token',
        err: expect.objectContaining({ stack: expect.stringMatching(/\n\s+at /) }),
      }),
    ]);
  });

  it('names every answer with X-Request-Id, and keeps 4xx bodies as they were', async () => {
    test = await openTestDatabaseFor(dialect);
    home = mkdtempSync(join(tmpdir(), 'tidemark-request-id-'));
    const config: TidemarkConfig = { ...configSchema.parse({}), home, database: { url: test.url } };
    app = await buildApiServer({
      config,
      database: test.database,
      secretKey: SECRET_KEY,
      sessionKey: SESSION_KEY,
      logsFolder: join(home, 'logs'),
    });
    const first = await app.inject({ method: 'GET', url: '/health' });
    const second = await app.inject({ method: 'GET', url: '/api/v2/dags' });
    expect(first.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(second.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(second.headers['x-request-id']).not.toBe(first.headers['x-request-id']);
    expect(second.statusCode).toBe(401);
    expect(second.json().detail).not.toHaveProperty('request_id');
  });
});
