import { afterAll } from 'vitest';

/**
 * After each test file: drop the emptied PostgreSQL test schemas its process kept for reuse, and
 * remove its migrated SQLite template (packages/db/src/testing/release-after-test-file.ts registers
 * the release once there is something to release).
 */
afterAll(async () => {
  const release = (globalThis as Record<symbol, unknown>)[Symbol.for('tidemark.releaseTestDatabases')];
  if (typeof release === 'function') await release();
});
