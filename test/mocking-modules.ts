/**
 * Test files that replace a module (`vi.mock`) for the code they test. Test files share their
 * processes (vitest.config.ts), and in a process that already ran another file the code under test
 * has imported the real module; these files get a process of their own. mocking-modules.test.ts
 * fails when a file mocks a module and is not listed here.
 */
export const MOCKING_MODULES = ['packages/server/src/public/openapi-document.test.ts'];
