import { PostgresDialect } from 'kysely';
import pg from 'pg';

const INT8_OID = 20;
const NUMERIC_OID = 1700;

// Epoch-millisecond timestamps and ids are bigint; they fit a JS number (2^53) with centuries to spare.
pg.types.setTypeParser(INT8_OID, (text) => Number.parseInt(text, 10));
pg.types.setTypeParser(NUMERIC_OID, (text) => Number.parseFloat(text));

export interface PostgresOptions {
  /** Work inside this schema (tests give each case its own). */
  readonly schema?: string;
  readonly poolSize?: number;
}

export function createPostgresDialect(connectionString: string, options: PostgresOptions = {}): PostgresDialect {
  const pool = new pg.Pool({
    connectionString,
    max: options.poolSize ?? 10,
    ...(options.schema ? { options: `-c search_path=${quoteIdentifier(options.schema)}` } : {}),
  });
  return new PostgresDialect({ pool });
}

export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
