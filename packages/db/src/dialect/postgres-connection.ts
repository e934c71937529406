import pg from 'pg';
import { CurrentSchemaPostgresDialect } from './current-schema-introspector.ts';
import { preparedStatementName } from './prepared-query.ts';

const INT8_OID = 20;
const NUMERIC_OID = 1700;

// Epoch-millisecond timestamps and ids are bigint; they fit a JS number (2^53) with centuries to spare.
pg.types.setTypeParser(INT8_OID, (text) => Number.parseInt(text, 10));
pg.types.setTypeParser(NUMERIC_OID, (text) => Number.parseFloat(text));

/** Connections a process holds to PostgreSQL unless told otherwise. */
export const DEFAULT_POSTGRES_POOL_SIZE = 10;

export interface PostgresOptions {
  /** Work inside this schema (tests give each case its own). */
  readonly schema?: string;
  readonly poolSize?: number;
  /** A pooled connection was lost (the server restarted or went away); the process goes on. */
  readonly onConnectionError?: (error: Error) => void;
}

export function createPostgresDialect(
  connectionString: string,
  options: PostgresOptions = {},
): CurrentSchemaPostgresDialect {
  const pool = new pg.Pool({
    Client: PreparedStatementClient as unknown as typeof pg.Client,
    connectionString,
    max: options.poolSize ?? DEFAULT_POSTGRES_POOL_SIZE,
    ...(options.schema ? { options: `-c search_path=${quoteIdentifier(options.schema)}` } : {}),
  });
  surviveLostConnections(pool, options.onConnectionError);
  return new CurrentSchemaPostgresDialect({ pool });
}

/**
 * A connection that sends the hot state-write queries (prepared-query.ts) as named prepared
 * statements, which PostgreSQL parses and plans once per connection (Kysely sends every query
 * unnamed: parsed and planned on every call, about half a write's time on the server). Any other
 * query goes as it came.
 */
class PreparedStatementClient extends pg.Client {
  // @ts-expect-error one override for node-postgres's many `query` overloads
  override query(...args: unknown[]): unknown {
    const [text, values] = args;
    const name = typeof text === 'string' && args.length === 2 ? preparedStatementName(text) : undefined;
    if (name) return super.query({ name, text: text as string, values: values as unknown[] });
    return (super.query as (...parts: unknown[]) => unknown).apply(this, args);
  }
}

/**
 * node-postgres emits 'error' on the pool (idle clients) and on each checked-out client when the
 * server goes away (a restart: 57P01 "terminating connection due to administrator command"). An
 * 'error' event without a listener ends the process, so both get one. Nothing else is needed: the
 * query in flight rejects on its own, the pool drops the broken client, and the next query opens a
 * new connection once the server is back.
 */
function surviveLostConnections(pool: pg.Pool, onError: (error: Error) => void = () => {}): void {
  pool.on('error', onError);
  pool.on('connect', (client) => {
    client.on('error', onError);
  });
}

export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
