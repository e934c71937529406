import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';

/** Every file ends by releasing the test databases its process kept for reuse (see that file). */
const shared = {
  pool: 'forks' as const,
  testTimeout: 30_000,
  hookTimeout: 60_000,
  setupFiles: ['./test/release-test-databases.ts'],
};

/**
 * The pattern crash test mostly waits (its fake jobs run for seconds; about 0.7 of a core on
 * average), so it runs beside the packages' tests rather than after them.
 */
const WAITING_END_TO_END = ['test/e2e/patterns-crash.test.ts'];

/**
 * Two groups, one after the other: first two files at a time — the packages' tests (mostly in
 * process, each test with an empty, migrated PostgreSQL schema or SQLite file) and WAITING_END_TO_END —
 * then the other end-to-end and UI tests one file at a time (each starts whole clusters, whose
 * heartbeats and timeouts a second such file's load would stretch on a 2-core machine). The global
 * setup (built packages, PostgreSQL) is the root's, run once for both.
 */
const projects: TestProjectInlineConfiguration[] = [
  {
    test: {
      ...shared,
      name: 'two-at-a-time',
      include: ['packages/*/src/**/*.test.ts', ...WAITING_END_TO_END],
      maxWorkers: 2,
      sequence: { groupOrder: 0 },
    },
  },
  {
    test: {
      ...shared,
      name: 'one-at-a-time',
      include: ['test/**/*.test.ts'],
      exclude: WAITING_END_TO_END,
      maxWorkers: 1,
      sequence: { groupOrder: 1 },
    },
  },
];

export default defineConfig({
  test: { ...shared, globalSetup: ['./test/global-setup.ts'], projects },
});
