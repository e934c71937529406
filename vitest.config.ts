import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';
import { MOCKING_MODULES } from './test/mocking-modules.ts';

/**
 * Every file ends by releasing the test databases its process kept for reuse (see that file).
 * Files share their test processes (`isolate: false`): each process imports Kysely, Fastify, zod
 * and the packages once rather than once per file, which took a quarter of the first group's time
 * and 5 % of the second's. So what a file leaves behind must not reach the next one: databases are
 * released after each file, stubs and spies are restored, and no test relies on module state it did
 * not make (a test that needs a fresh uuidV7 clock makes a generator).
 */
const shared = {
  pool: 'forks' as const,
  isolate: false,
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
      exclude: MOCKING_MODULES,
      maxWorkers: 2,
      sequence: { groupOrder: 0 },
    },
  },
  {
    test: {
      ...shared,
      name: 'two-at-a-time, isolated',
      include: MOCKING_MODULES,
      isolate: true,
      maxWorkers: 2,
      sequence: { groupOrder: 0 },
    },
  },
  {
    test: {
      ...shared,
      name: 'one-at-a-time',
      include: ['test/**/*.test.ts'],
      exclude: [...WAITING_END_TO_END, ...MOCKING_MODULES],
      maxWorkers: 1,
      sequence: { groupOrder: 1 },
    },
  },
];

export default defineConfig({
  test: { ...shared, globalSetup: ['./test/global-setup.ts'], projects },
});
