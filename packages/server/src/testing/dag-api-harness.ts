import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig, type SerializedDag, type UserRole } from '@tidemark/core';
import { type DialectName, type MetadataDatabase, upsertSerializedDag } from '@tidemark/db';
import { ManualClock, openTestDatabaseFor, type TestDatabase } from '@tidemark/db/testing';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { buildApiServer } from '../app.ts';
import { UserAuth } from '../public/user-auth.ts';
import { detailOf, ORDERS_DAG, SECRET_KEY, SESSION_KEY, serializedTask, T0 } from './execution-harness.ts';

/**
 * For the public API's route tests: a real api-server on a real test database (SQLite file or
 * PostgreSQL schema), a manual clock, and bearer tokens per role. Not used outside tests.
 */

export { detailOf, ORDERS_DAG, T0 };

/** Scheduled daily, consumes `orders`, produces `daily_report`; tagged. */
export const REPORTS_DAG: SerializedDag = {
  dagId: 'reports',
  fileloc: 'sales/reports-dag.ts',
  schedule: '0 6 * * *',
  startDate: Date.UTC(2025, 10, 1),
  catchup: true,
  description: 'Builds the morning sales report',
  tags: ['sales', 'reporting'],
  tasks: [
    serializedTask('build', { inlets: [{ name: 'orders', uri: 's3://warehouse/orders' }], retries: 1 }),
    serializedTask('publish', {
      upstreamTaskIds: ['build'],
      outlets: [{ name: 'daily_report', uri: 'file:///reports/daily.html' }],
    }),
  ],
};

/** Triggered by hand only. */
export const ADHOC_DAG: SerializedDag = {
  dagId: 'adhoc_cleanup',
  fileloc: 'ops/adhoc-cleanup.ts',
  schedule: null,
  startDate: null,
  catchup: false,
  description: null,
  tags: [],
  tasks: [serializedTask('vacuum')],
};

export type Role = UserRole | 'none';

export interface PublicApiHarness {
  readonly app: FastifyInstance;
  readonly database: MetadataDatabase;
  readonly clock: ManualClock;
  token(role: UserRole): string;
  /** Injects a request with a bearer token of `role` (default viewer; `none`: no token). */
  request(options: InjectOptions & { role?: Role }): Promise<LightMyRequestResponse>;
  /** Stores the DAG as the DAG processor would, parsed now. */
  seedDag(dag: SerializedDag): Promise<void>;
  close(): Promise<void>;
}

export async function openPublicApiHarness(dialect: DialectName): Promise<PublicApiHarness> {
  const test: TestDatabase = await openTestDatabaseFor(dialect);
  const folder = mkdtempSync(join(tmpdir(), 'tidemark-public-api-'));
  const clock = new ManualClock(T0);
  const config = resolveConfig({ home: join(folder, '.tidemark') });
  const logsFolder = join(folder, 'logs');
  const app = await buildApiServer({
    config,
    database: test.database,
    secretKey: SECRET_KEY,
    sessionKey: SESSION_KEY,
    logsFolder,
    clock: clock.now,
  });
  const auth = new UserAuth(SESSION_KEY, clock.now);
  const token = (role: UserRole) => auth.issue('alice', role, 3_600_000).token;

  return {
    app,
    database: test.database,
    clock,
    token,
    request({ role = 'viewer', headers, ...options }) {
      return app.inject({
        ...options,
        headers: { ...headers, ...(role === 'none' ? {} : { authorization: `Bearer ${token(role)}` }) },
      });
    },
    seedDag(dag) {
      return upsertSerializedDag(test.database.db, dag, clock.now());
    },
    async close() {
      await app.close();
      await test.destroy();
      rmSync(folder, { recursive: true, force: true });
    },
  };
}
