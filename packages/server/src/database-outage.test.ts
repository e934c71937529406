import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configSchema, type TidemarkConfig } from '@tidemark/core';
import { type DialectName, type MetadataDatabase, migrateToLatest, openDatabase } from '@tidemark/db';
import { eachDialect, type PostgresTestServer, startPostgresTestServer } from '@tidemark/db/testing';
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

/** A database this test may take away and give back: its own PostgreSQL server, or a SQLite file. */
interface OutageWorld {
  readonly database: MetadataDatabase;
  /** PostgreSQL: `pg_ctl stop -m fast`. SQLite: another process holds the file's exclusive lock. */
  takeAway(): Promise<void>;
  giveBack(): Promise<void>;
  destroy(): Promise<void>;
}

async function openOutageWorld(dialect: DialectName, folder: string): Promise<OutageWorld> {
  if (dialect === 'postgres') return openPostgresWorld(await startPostgresTestServer());
  const file = join(folder, 'tidemark.db');
  const database = openDatabase(`sqlite:${file}`, { sqliteBusyTimeoutMs: 50 });
  await migrateToLatest(database);
  let holder: ChildProcess | undefined;
  return {
    database,
    async takeAway() {
      holder = await holdSqliteLock(file);
    },
    async giveBack() {
      const exited = new Promise((resolve) => holder?.once('exit', resolve));
      holder?.stdin?.end();
      await exited;
    },
    async destroy() {
      holder?.kill('SIGKILL');
      await database.close();
    },
  };
}

/** Another process takes the SQLite file's exclusive lock and holds it until its stdin closes. */
const LOCK_HOLDER = `
const Database = require('better-sqlite3');
const db = new Database(process.argv[1]);
db.exec('BEGIN EXCLUSIVE');
process.stdout.write('locked\\n');
process.stdin.resume();
process.stdin.on('end', () => { db.exec('COMMIT'); db.close(); process.exit(0); });
`;

async function holdSqliteLock(file: string): Promise<ChildProcess> {
  const holder = spawn(process.execPath, ['-e', LOCK_HOLDER, file], { stdio: ['pipe', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    holder.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString('utf8').includes('locked')) resolve();
    });
    holder.once('exit', (code) => reject(new Error(`the lock holder exited (${code}) before taking the lock`)));
  });
  return holder;
}

async function openPostgresWorld(server: PostgresTestServer): Promise<OutageWorld> {
  const database = openDatabase(server.url, { poolSize: 4 });
  await migrateToLatest(database);
  return {
    database,
    takeAway: async () => server.shutDown(),
    giveBack: async () => server.startUp(),
    async destroy() {
      await database.close();
      server.stop();
    },
  };
}

describe.each(eachDialect())('the api-server while its database is away, on %s', (dialect) => {
  let app: FastifyInstance | undefined;
  let world: OutageWorld | undefined;
  const folders: string[] = [];

  afterEach(async () => {
    await app?.close();
    await world?.destroy();
    app = undefined;
    world = undefined;
    for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
  });

  async function start(): Promise<{ app: FastifyInstance; world: OutageWorld }> {
    const folder = mkdtempSync(join(tmpdir(), 'tidemark-outage-'));
    folders.push(folder);
    world = await openOutageWorld(dialect, folder);
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
