import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import {
  CompiledQuery,
  type DatabaseConnection,
  type Kysely,
  SqliteAdapter,
  type SqliteDatabase,
  SqliteDialect,
  SqliteDriver,
} from 'kysely';
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

/** Prepared statements kept per connection; a state write runs the same handful of statements. */
const STATEMENT_CACHE_SIZE = 500;

/**
 * The connection as Kysely sees it, preparing each distinct SQL text once. Kysely's SQLite driver
 * prepares every query it runs, which costs as much as running a small statement; better-sqlite3's
 * statements are reusable, so the cache keeps them, first in first out when it is full.
 */
function withStatementCache(database: BetterSqlite3.Database): SqliteDatabase & StatementCache {
  const statements = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => database.close(),
    get inTransaction() {
      return database.inTransaction;
    },
    prepare(sql: string) {
      const cached = statements.get(sql);
      if (cached) return cached;
      // Full: the oldest goes; a hot statement evicted so is prepared again on its next use.
      if (statements.size >= STATEMENT_CACHE_SIZE) statements.delete(statements.keys().next().value as string);
      const statement = database.prepare(sql);
      statements.set(sql, statement);
      return statement;
    },
  };
}

interface StatementCache {
  readonly inTransaction: boolean;
  prepare(sql: string): BetterSqlite3.Statement;
}

/** Kysely's SQLite adapter, carrying the connection's statements for `runInSqliteTransaction`. */
class StatementCacheAdapter extends SqliteAdapter {
  constructor(readonly statements: StatementCache) {
    super();
  }
}

class ImmediateTransactionSqliteDialect extends SqliteDialect {
  readonly #database: SqliteDatabase & StatementCache;
  constructor(database: BetterSqlite3.Database) {
    const cached = withStatementCache(database);
    super({ database: cached });
    this.#database = cached;
  }
  override createDriver() {
    return new ImmediateTransactionSqliteDriver({ database: this.#database });
  }
  override createAdapter() {
    return new StatementCacheAdapter(this.#database);
  }
}

/**
 * Runs a statement synchronously on the connection of a SQLite transaction: what Kysely's driver
 * does, without its promise per statement, connection lookup and result conversion (about a tenth
 * of a state write's time on the api-server). Only inside a transaction, which holds the process's
 * one connection, so no other query can interleave; undefined otherwise (or on PostgreSQL), and the
 * caller goes through Kysely. Kysely plugins do not see these statements.
 */
export function runInSqliteTransaction<Row>(
  db: Pick<Kysely<unknown>, 'isTransaction' | 'getExecutor'>,
  sql: string,
  parameters: readonly unknown[],
): Row[] | undefined {
  if (!db.isTransaction) return undefined;
  const statements = statementCacheOf(db);
  return statements ? runStatement<Row>(statements, sql, parameters) : undefined;
}

/** Runs one statement on the connection, synchronously; its rows (none for a statement that returns none). */
export type SqliteStatementRunner = <Row>(sql: string, parameters: readonly unknown[]) => Row[];

/**
 * Runs `work` in a write transaction (BEGIN IMMEDIATE … COMMIT) whose statements, BEGIN and COMMIT
 * included, run synchronously on the connection: the cost of Kysely's transaction (a promise and a
 * result conversion per statement, and for BEGIN and COMMIT) paid once, for taking the connection.
 * It is taken as Kysely takes it, so no other query of this process interleaves. When `work` or
 * COMMIT throws, the transaction is rolled back and the error rethrown. On PostgreSQL it throws:
 * the caller chooses this path by dialect.
 */
export async function inSqliteTransactionNow<Schema, T>(
  db: Kysely<Schema>,
  work: (run: SqliteStatementRunner) => T,
): Promise<T> {
  const statements = statementCacheOf(db);
  if (!statements) throw new Error('inSqliteTransactionNow needs a SQLite database opened by createSqliteDialect');
  const run: SqliteStatementRunner = (sql, parameters) => runStatement(statements, sql, parameters);
  return db.connection().execute(async () => {
    run('begin immediate', []);
    try {
      const result = work(run);
      run('commit', []);
      return result;
    } catch (error) {
      // Some errors (a full disk, an I/O error) have already ended the transaction.
      if (statements.inTransaction) run('rollback', []);
      throw error;
    }
  });
}

function statementCacheOf(db: Pick<Kysely<unknown>, 'getExecutor'>): StatementCache | undefined {
  const adapter = db.getExecutor().adapter;
  return adapter instanceof StatementCacheAdapter ? adapter.statements : undefined;
}

function runStatement<Row>(statements: StatementCache, sql: string, parameters: readonly unknown[]): Row[] {
  const statement = statements.prepare(sql);
  if (statement.reader) return statement.all(parameters) as Row[];
  statement.run(parameters);
  return [];
}

/** How long a statement waits for another process's lock before failing with SQLITE_BUSY. */
export const DEFAULT_SQLITE_BUSY_TIMEOUT_MS = 5_000;

export function createSqliteDialect(file: string, busyTimeoutMs = DEFAULT_SQLITE_BUSY_TIMEOUT_MS): SqliteDialect {
  if (file !== SQLITE_IN_MEMORY) mkdirSync(dirname(file), { recursive: true });
  const database = new BetterSqlite3(file);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma(`busy_timeout = ${Math.max(0, Math.round(busyTimeoutMs))}`);
  database.pragma('foreign_keys = ON');
  return new ImmediateTransactionSqliteDialect(database);
}
