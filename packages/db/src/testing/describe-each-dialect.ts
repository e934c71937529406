import { inject } from 'vitest';
import type { DialectName } from '../dialect/database-url.ts';
import { createTestDatabase, type TestDatabase, testDialects } from './test-database.ts';

/** Opens an empty, migrated database of the dialect for one test (createTestDatabase). */
export function openTestDatabaseFor(dialect: DialectName, options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  return createTestDatabase(dialect, { postgresUrl: inject('postgresUrl'), ...options });
}

/** The dialects this run covers (TEST_DIALECTS), for `describe.each`. */
export function eachDialect(): DialectName[] {
  return testDialects();
}
