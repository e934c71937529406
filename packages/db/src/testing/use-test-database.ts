import { afterEach, beforeEach } from 'vitest';
import type { DialectName } from '../dialect/database-url.ts';
import type { MetadataDatabase } from '../open-database.ts';
import { openTestDatabaseFor } from './describe-each-dialect.ts';
import type { TestDatabase } from './test-database.ts';

/** The database of the running test, as `useTestDatabase` hands it out. */
export interface UsedTestDatabase {
  readonly database: MetadataDatabase;
  /** A URL another process can open (for PostgreSQL, with the schema in its options). */
  readonly url: string;
}

/**
 * Registers a `beforeEach` that opens an empty, migrated database of `dialect` and an `afterEach`
 * that destroys it. Call it first in the `describe`, so the file's own `beforeEach` (seeding) runs
 * after it; read `database`/`url` inside tests and hooks only.
 */
export function useTestDatabase(dialect: DialectName, options: { migrate?: boolean } = {}): UsedTestDatabase {
  let current: TestDatabase | undefined;
  beforeEach(async () => {
    current = await openTestDatabaseFor(dialect, options);
  });
  afterEach(async () => {
    await current?.destroy();
    current = undefined;
  });
  const opened = (): TestDatabase => {
    if (!current) throw new Error('useTestDatabase: the database exists only inside a test or its hooks');
    return current;
  };
  return {
    get database() {
      return opened().database;
    },
    get url() {
      return opened().url;
    },
  };
}
