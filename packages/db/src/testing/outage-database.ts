import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DialectName } from '../dialect/database-url.ts';
import { migrateToLatest } from '../migrations/migrator.ts';
import { type MetadataDatabase, openDatabase } from '../open-database.ts';
import { type PostgresTestServer, startPostgresTestServer } from './postgres-test-server.ts';

/**
 * A database a test may take away and give back, for outage tests: a PostgreSQL server of its own,
 * or a SQLite file in a temp folder (its busy timeout is short, so a locked write fails at once).
 */
export interface OutageDatabase {
  readonly database: MetadataDatabase;
  /** PostgreSQL: `pg_ctl stop -m fast`. SQLite: another process holds the file's exclusive lock. */
  takeAway(): Promise<void>;
  giveBack(): Promise<void>;
  destroy(): Promise<void>;
}

export async function openOutageDatabase(dialect: DialectName): Promise<OutageDatabase> {
  if (dialect === 'postgres') return openPostgresOutage(await startPostgresTestServer());
  const folder = mkdtempSync(join(tmpdir(), 'tidemark-outage-'));
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
      rmSync(folder, { recursive: true, force: true });
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

async function openPostgresOutage(server: PostgresTestServer): Promise<OutageDatabase> {
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
