import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TidemarkCluster, type TidemarkProcess } from '@tidemark/cli/testing';
import { triggerDagRun } from '@tidemark/db';
import { type PostgresTestServer, startPostgresTestServer, testDialects, waitUntil } from '@tidemark/db/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { E2eEnvironment } from './support/e2e-environment.ts';

const DAG_ID = 'e2e_outage';
const RUN_ID = 'outage-1';

/** A probe that reads the database through the test's own pool, which the outage breaks too. */
function evenWhileDown<T>(probe: () => Promise<T | undefined>): () => Promise<T | undefined> {
  return () => probe().catch(() => undefined);
}

function countMatches(text: string, pattern: RegExp): number {
  return text.match(pattern)?.length ?? 0;
}

function isRunning(process: TidemarkProcess): boolean {
  return process.child.exitCode === null && process.child.signalCode === null;
}

/** POST /auth/token reads the users table, without a token: during the outage it must answer 503. */
async function askForToken(apiUrl: string): Promise<Response> {
  return fetch(`${apiUrl}/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'nobody', password: 'not-a-password' }),
  });
}

describe.runIf(testDialects().includes('postgres'))('a PostgreSQL restart under a running DAG', () => {
  let server: PostgresTestServer | undefined;
  let env: E2eEnvironment | undefined;
  let cluster: TidemarkCluster | undefined;
  let signalDir: string | undefined;

  afterEach(async () => {
    await cluster?.stop();
    await env?.destroy().catch(() => undefined);
    server?.stop();
    if (signalDir) rmSync(signalDir, { recursive: true, force: true });
    cluster = undefined;
    env = undefined;
    server = undefined;
  });

  it('keeps every process alive, answers 503 meanwhile, and completes the run', async () => {
    server = await startPostgresTestServer();
    env = await E2eEnvironment.create('postgres', {}, { postgresServerUrl: server.url });
    cluster = await TidemarkCluster.start(env, { workers: 2 });
    signalDir = mkdtempSync(join(tmpdir(), 'tidemark-outage-'));
    const signal = (name: string) => join(signalDir as string, name);

    await env.waitForDag(DAG_ID);
    await triggerDagRun(env.database, { dagId: DAG_ID, runId: RUN_ID, conf: { signal_dir: signalDir } });
    await waitUntil(
      () => existsSync(signal('finish_during_outage.started')) && existsSync(signal('across_outage.started')),
      'both middle tasks to run',
      60_000,
    );
    const processes = [cluster.apiServer, cluster.scheduler, ...cluster.workers];
    const pids = processes.map((process) => process.pid);

    server.shutDown();

    const during = await waitUntil(
      async () => {
        const response = await askForToken(env?.apiUrl as string);
        return response.status === 503 ? response : undefined;
      },
      'the api-server to answer 503',
      30_000,
    );
    expect(during.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await during.json()).toEqual({
      detail: expect.objectContaining({
        reason: 'database_unavailable',
        message: expect.stringContaining('database is unreachable'),
      }),
    });
    writeFileSync(signal('finish_during_outage.go'), '');
    await waitUntil(
      () =>
        cluster?.workers.some((worker) => /could not report how the attempt ended; trying again/.test(worker.output)),
      'a worker to retry finishing its attempt',
      30_000,
    );
    await cluster.scheduler.waitFor(/scheduler: the database is unreachable/);
    // Longer than the heartbeat timeout (2 s; beats every 500 ms): every running TI looks silent when it is back.
    await waitUntil(
      () => cluster?.workers.some((worker) => countMatches(worker.output, /heartbeat failed/g) >= 6),
      'heartbeats to fail for longer than the heartbeat timeout',
      30_000,
    );
    expect(processes.every(isRunning)).toBe(true);

    writeFileSync(signal('across_outage.go'), '');
    await waitUntil(() => existsSync(signal('across_outage.writing')), 'a state write during the outage', 30_000);
    server.startUp();

    const state = await waitUntil(
      evenWhileDown(async () => {
        const runState = await env?.runState(DAG_ID, RUN_ID);
        return runState === 'success' || runState === 'failed' ? runState : undefined;
      }),
      'the run to finish',
      90_000,
    );
    expect(state).toBe('success');
    const tis = await env.taskInstances(DAG_ID, RUN_ID);
    expect(tis.map((ti) => [ti.task_id, ti.state, ti.try_number])).toEqual([
      ['across_outage', 'success', 1],
      ['finish_during_outage', 'success', 1],
      ['prepare', 'success', 1],
      ['report', 'success', 1],
    ]);
    expect(await env.xcom(DAG_ID, RUN_ID, 'report')).toBe(22);
    const stage = await env.database.db
      .selectFrom('task_state')
      .select('value')
      .where('dag_id', '=', DAG_ID)
      .where('run_id', '=', RUN_ID)
      .where('task_id', '=', 'across_outage')
      .where('key', '=', 'stage')
      .executeTakeFirstOrThrow();
    expect(JSON.parse(stage.value)).toBe('written through the outage');
    await cluster.scheduler.waitFor(/scheduler: the database is back/);
    expect(processes.map((process) => process.pid)).toEqual(pids);
    expect(processes.every(isRunning)).toBe(true);
    expect((await askForToken(env.apiUrl)).status).toBe(401);
  }, 180_000);
});
