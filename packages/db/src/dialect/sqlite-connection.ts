import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { CompiledQuery, type DatabaseConnection, SqliteDialect, SqliteDriver } from 'kysely';
import { SQLITE_IN_MEMORY } from './database-url.ts';

/**
 * The only file that knows the SQLite driver, so that moving to better-sqlite3 13 or `node:sqlite`
 * on a later Node touches one place.
 *
 * Write transactions begin IMMEDIATE: a deferred transaction that reads and then writes can fail
 * with SQLITE_BUSY at once, without waiting for busy_timeout, when another process writes between.
 */
class ImmediateTransactionSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

class ImmediateTransactionSqliteDialect extends SqliteDialect {
  readonly #database: BetterSqlite3.Database;
  constructor(database: BetterSqlite3.Database) {
    super({ database });
    this.#database = database;
  }
  override createDriver() {
    return new ImmediateTransactionSqliteDriver({ database: this.#database });
  }
}

export function createSqliteDialect(file: string): SqliteDialect {
  if (file !== SQLITE_IN_MEMORY) mkdirSync(dirname(file), { recursive: true });
  const database = new BetterSqlite3(file);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('busy_timeout = 5000');
  database.pragma('foreign_keys = ON');
  return new ImmediateTransactionSqliteDialect(database);
}
