import { afterAll } from 'vitest';

/**
 * After each test file: drop the emptied test databases its process kept for reuse
 * (packages/db/src/testing/recycled-test-databases.ts registers the drop once it keeps one).
 */
afterAll(async () => {
  const drop = (globalThis as Record<symbol, unknown>)[Symbol.for('tidemark.dropRecycledTestDatabases')];
  if (typeof drop === 'function') await drop();
});
