const releases: (() => Promise<void>)[] = [];

/**
 * Where the vitest setup file (test/release-test-databases.ts) finds what to release after a test
 * file, without importing this package into files that never open a database.
 */
const RELEASE_TEST_DATABASES = Symbol.for('tidemark.releaseTestDatabases');

/** Runs `release` after the test file (the kept schemas' drop, the SQLite template's removal). */
export function releaseAfterTestFile(release: () => Promise<void>): void {
  releases.push(release);
  (globalThis as Record<symbol, unknown>)[RELEASE_TEST_DATABASES] = releaseTestDatabases;
}

/** Runs and forgets every registered release. */
async function releaseTestDatabases(): Promise<void> {
  await Promise.all(releases.splice(0).map((release) => release()));
}
