import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configSchema, type TidemarkConfig } from '@tidemark/core';
import { eachDialect, type OutageDatabase, openOutageDatabase } from '@tidemark/db/testing';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApiServer } from './app.ts';
import { issueWorkerToken } from './execution/attempt-token.ts';

async function waitUntil(probe: () => Promise<boolean>, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const SECRET_KEY = 'outage-secret-key-outage-secret-key-0123456789';
const SESSION_KEY = 'outage-session-key-outage-session-key-0123456789';

describe.each(eachDialect())('the api-server while its database is away, on %s', (dialect) => {
  let app: FastifyInstance | undefined;
  let world: OutageDatabase | undefined;
  const folders: string[] = [];

  afterEach(async () => {
    await app?.close();
    await world?.destroy();
    app = undefined;
    world = undefined;
    for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
  });

  async function start(): Promise<{ app: FastifyInstance; world: OutageDatabase }> {
    const folder = mkdtempSync(join(tmpdir(), 'tidemark-outage-'));
    folders.push(folder);
    world = await openOutageDatabase(dialect);
    const config: TidemarkConfig = { ...configSchema.parse({}), home: folder, database: { url: 'unused' } };
    app = await buildApiServer({
      config,
      database: world.database,
      secretKey: SECRET_KEY,
      sessionKey: SESSION_KEY,
      logsFolder: join(folder, 'logs'),
    });
    return { app, world };
  }

  /** A claim writes (a transaction) even when nothing is queued: 204. */
  function claim(server: FastifyInstance) {
    return server.inject({
      method: 'POST',
      url: '/execution/workloads/claim',
      headers: { authorization: `Bearer ${issueWorkerToken(SECRET_KEY, 3_600_000, Date.now())}` },
      payload: { worker: 'outage-test' },
    });
  }

  it('answers 503 database_unavailable with Retry-After, and serves again once the database is back', async () => {
    const { app: server, world: outage } = await start();
    expect((await claim(server)).statusCode).toBe(204);

    await outage.takeAway();
    const during = await claim(server);
    expect(during.statusCode).toBe(503);
    expect(during.headers['retry-after']).toMatch(/^\d+$/);
    expect(during.json()).toEqual({
      detail: expect.objectContaining({
        reason: 'database_unavailable',
        message: expect.stringMatching(
          dialect === 'postgres' ? /database is unreachable/ : /locked by another process/,
        ),
      }),
    });

    await outage.giveBack();
    // A pooled connection cut by the restart may serve one more request before its end is noticed.
    await waitUntil(async () => (await claim(server)).statusCode === 204, 'the api-server to reconnect', 20_000);
  }, 60_000);
});
