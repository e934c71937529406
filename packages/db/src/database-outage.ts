/**
 * Tells a database that went away (PostgreSQL restarting, its connection cut, a SQLite file locked
 * by another process past the busy timeout) from a bug. An outage passes: the caller answers 503 or
 * tries again on its next turn; a bug does not.
 */

/** PostgreSQL SQLSTATEs of a server that is shutting down, restarting or not yet accepting connections. */
const POSTGRES_OUTAGE_CODES = new Set([
  '57P01', // admin_shutdown: "terminating connection due to administrator command"
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: starting up, shutting down, in recovery
]);

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND']);

const SQLITE_LOCK_CODES = new Set(['SQLITE_BUSY', 'SQLITE_LOCKED']);

/** Messages of node-postgres for a connection that ended under it (it sets no code for these). */
const POSTGRES_CONNECTION_MESSAGES = [
  /^Connection terminated/,
  /^Client has encountered a connection error and is not queryable/,
  /^timeout exceeded when trying to connect/,
];

export type DatabaseOutageKind = 'postgres_unreachable' | 'sqlite_locked';

/** The kind of outage `error` reports, or undefined when it is not one. Looks through `cause` chains. */
export function databaseOutageKind(error: unknown): DatabaseOutageKind | undefined {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    const kind = outageKindOf(current as { code?: unknown; message?: unknown });
    if (kind) return kind;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

export function isDatabaseOutage(error: unknown): boolean {
  return databaseOutageKind(error) !== undefined;
}

function outageKindOf(error: { code?: unknown; message?: unknown }): DatabaseOutageKind | undefined {
  const code = typeof error.code === 'string' ? error.code : '';
  if (SQLITE_LOCK_CODES.has(code) || code.startsWith('SQLITE_BUSY_')) return 'sqlite_locked';
  // Class 08: connection exceptions.
  if (POSTGRES_OUTAGE_CODES.has(code) || /^08[0-9A-Z]{3}$/.test(code) || NETWORK_CODES.has(code)) {
    return 'postgres_unreachable';
  }
  const message = typeof error.message === 'string' ? error.message : '';
  if (POSTGRES_CONNECTION_MESSAGES.some((pattern) => pattern.test(message))) return 'postgres_unreachable';
  return undefined;
}

/** One line for a person: what is unreachable, and that it passes by itself. */
export function describeDatabaseOutage(error: unknown): string {
  const kind = databaseOutageKind(error);
  const cause = (error as { message?: string }).message ?? String(error);
  if (kind === 'sqlite_locked') {
    return (
      `the SQLite database file is locked by another process beyond the busy timeout (${cause}); ` +
      'retry in a moment, or raise database.sqlite_busy_timeout'
    );
  }
  return `the metadata database is unreachable (${cause}); it reconnects by itself when the database is back: retry in a few seconds`;
}
