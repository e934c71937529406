import type { MetadataDatabase, MigrationStatus } from '@tidemark/db';
import { Command } from 'commander';
import { loadConfig } from '../config/load-config.ts';

/** The database modules load when a command needs them, not with every `tidemark` command. */
const dbModule = () => import('@tidemark/db');

export function dbCommand(): Command {
  const db = new Command('db').description('the metadata database').exitOverride();
  db.command('migrate')
    .description('create or upgrade the metadata database schema (running it again is a no-op)')
    .action(async () => {
      const config = loadConfig();
      await withDatabase(config.database.url, async (database) => {
        const result = await (await dbModule()).migrateToLatest(database);
        const where = `${(await dbModule()).redactDatabaseUrl(database.url)} (${database.dialect})`;
        if (result.applied.length === 0) {
          process.stdout.write(`Database ${where} is up to date.\n`);
          return;
        }
        for (const name of result.applied) process.stdout.write(`applied ${name}\n`);
        process.stdout.write(`Database ${where} migrated: ${result.applied.length} migration(s) applied.\n`);
      });
    });
  db.command('status')
    .description('show the applied and pending migrations')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      const config = loadConfig();
      await withDatabase(config.database.url, async (database) => {
        const status = await (await dbModule()).migrationStatus(database);
        const url = (await dbModule()).redactDatabaseUrl(database.url);
        if (options.json) {
          process.stdout.write(`${JSON.stringify(statusJson(url, database.dialect, status), null, 2)}\n`);
        } else {
          process.stdout.write(formatStatus(url, database.dialect, status));
        }
        if (status.unknown.length > 0) process.exitCode = 1;
      });
    });
  return db;
}

async function withDatabase<T>(url: string, work: (database: MetadataDatabase) => Promise<T>): Promise<T> {
  const database = await (await dbModule()).connectDatabase(url);
  try {
    return await work(database);
  } finally {
    await database.close();
  }
}

function statusJson(url: string, dialect: string, status: MigrationStatus) {
  return {
    url,
    dialect,
    up_to_date: status.pending.length === 0 && status.unknown.length === 0,
    applied: status.applied.map((row) => ({ name: row.name, applied_at: row.appliedAt.toISOString() })),
    pending: status.pending,
    unknown: status.unknown,
  };
}

function formatStatus(url: string, dialect: string, status: MigrationStatus): string {
  const lines = [`Database: ${url} (${dialect})`];
  if (status.unknown.length > 0) {
    lines.push(`Schema:   NEWER than this Tidemark (unknown: ${status.unknown.join(', ')}); upgrade Tidemark`);
  } else if (status.pending.length > 0) {
    lines.push(`Schema:   ${status.pending.length} migration(s) pending; run "tidemark db migrate"`);
  } else {
    lines.push(`Schema:   up to date, ${status.applied.length} migration(s) applied`);
  }
  for (const row of status.applied) lines.push(`  applied  ${row.name}  ${row.appliedAt.toISOString()}`);
  for (const name of status.pending) lines.push(`  pending  ${name}`);
  for (const name of status.unknown) lines.push(`  unknown  ${name}`);
  return `${lines.join('\n')}\n`;
}
