import { BUILT_PACKAGES_ENV } from '@tidemark/cli/testing';
import { startPostgresTestServer, testDialects } from '@tidemark/db/testing';
import type { TestProject } from 'vitest/node';
import { buildPackagesInPlace } from '../scripts/pack-packages.mjs';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The test PostgreSQL server (empty when only SQLite runs). Each test makes its own schema in it. */
    postgresUrl: string;
  }
}

/**
 * Builds the packages' JavaScript in place (about a second), so that the `tidemark` processes the
 * tests start run it (see tidemarkNodeArgs); then starts one PostgreSQL 15 for the whole run when
 * `postgres` is among TEST_DIALECTS, and stops it after.
 */
export default async function setup(project: TestProject) {
  await buildPackagesInPlace();
  process.env[BUILT_PACKAGES_ENV] = '1';
  const external = process.env.TIDEMARK_TEST_POSTGRES_URL;
  if (!testDialects().includes('postgres')) {
    project.provide('postgresUrl', '');
    return;
  }
  if (external) {
    project.provide('postgresUrl', external);
    return;
  }
  const server = await startPostgresTestServer();
  project.provide('postgresUrl', server.url);
  console.log(`test PostgreSQL 15 at ${server.url.replace(/\/\/[^@]*@/, '//')}`);
  return () => server.stop();
}
