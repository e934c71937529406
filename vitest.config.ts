import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';

const shared = { pool: 'forks', testTimeout: 30_000, hookTimeout: 60_000 } as const;

/**
 * Two groups, one after the other: the packages' tests two files at a time (they are mostly in
 * process, and each test's PostgreSQL schema and SQLite file are its own), then the end-to-end and
 * UI tests one file at a time (each starts whole clusters, whose heartbeats and timeouts a second
 * file's load would stretch on a 2-core machine). The global setup (built packages, PostgreSQL) is
 * the root's, run once for both.
 */
const projects: TestProjectInlineConfiguration[] = [
  {
    test: {
      ...shared,
      name: 'packages',
      include: ['packages/*/src/**/*.test.ts'],
      maxWorkers: 2,
      sequence: { groupOrder: 0 },
    },
  },
  {
    test: { ...shared, name: 'end-to-end', include: ['test/**/*.test.ts'], maxWorkers: 1, sequence: { groupOrder: 1 } },
  },
];

export default defineConfig({
  test: { ...shared, globalSetup: ['./test/global-setup.ts'], projects },
});
