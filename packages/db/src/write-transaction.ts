import type { Transaction } from 'kysely';
import type { MetadataDatabase } from './open-database.ts';
import type { DatabaseSchema } from './schema/database-schema.ts';

const MAX_ATTEMPTS = 8;

// PostgreSQL: unique_violation, serialization_failure, deadlock_detected. SQLite cannot race here
// (its write transactions are IMMEDIATE), but a unique violation is retried the same way.
const RETRYABLE_CODES = new Set([
  '23505',
  '40001',
  '40P01',
  'SQLITE_CONSTRAINT_UNIQUE',
  'SQLITE_CONSTRAINT_PRIMARYKEY',
]);

/**
 * Runs a read-modify-write in one transaction. Two writers creating the same absent key both find
 * nothing to lock; the loser's insert hits the unique constraint and the whole transaction runs
 * again, now seeing the winner's row.
 */
export async function inWriteTransaction<T>(
  database: MetadataDatabase,
  work: (trx: Transaction<DatabaseSchema>) => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await database.db.transaction().execute(work);
    } catch (error) {
      if (attempt >= MAX_ATTEMPTS || !isRetryableWriteError(error)) throw error;
    }
  }
}

/** A failure that running the whole transaction again can cure (a race with another writer). */
export function isRetryableWriteError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && RETRYABLE_CODES.has(code);
}
