import { replaceImportErrors, setXcom } from '@tidemark/db';
import { eachDialect } from '@tidemark/db/testing';
import {
  type OrdersRun,
  openTaskInstanceHarness,
  seedOrdersRun,
  T0,
  type TaskInstanceHarness,
  updateTi,
} from '@tidemark/server/testing';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PublicApiClient } from '../api/public-api-client.ts';
import { main } from '../main.ts';
import { runDetails } from '../output/run-details.ts';

/** `tidemark dags errors` and `tidemark tasks xcom`, in-process against a real api-server on a port. */
describe.each(eachDialect())('tidemark dags errors and tasks xcom on %s', (dialect) => {
  let harness: TaskInstanceHarness;
  let run: OrdersRun;
  let stdout: string;
  let stderr: string;

  async function tidemark(...args: string[]): Promise<number> {
    stdout = '';
    stderr = '';
    return main(['node', 'tidemark', ...args]);
  }

  let address: string;
  beforeEach(async () => {
    harness = await openTaskInstanceHarness(dialect);
    run = await seedOrdersRun(harness, { mapped: 2 });
    address = await harness.app.listen({ host: '127.0.0.1', port: 0 });
    vi.stubEnv('TIDEMARK_HOME', harness.logsFolder);
    vi.stubEnv('TIDEMARK_API_URL', address);
    vi.stubEnv('TIDEMARK_API_TOKEN', harness.token('viewer'));
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      stdout += String(chunk);
      return true;
    });
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      stderr += String(chunk);
      return true;
    });
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
    await harness.close();
  });

  it('dags errors lists each broken file with its line and reason, on one line each', async () => {
    expect(await tidemark('dags', 'errors')).toBe(0);
    expect(stdout).toBe('No import errors: every DAG file loads.\n');

    await replaceImportErrors(
      harness.database.db,
      'team/etl.ts',
      [{ line: 3, message: 'defines DAG "etl"\nbut exports none' }],
      T0,
    );
    await replaceImportErrors(harness.database.db, 'broken.ts', [{ line: null, message: 'SyntaxError' }], T0);

    expect(await tidemark('dags', 'errors')).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^FILE\s+SINCE\s+MESSAGE$/);
    expect(
      lines
        .slice(1)
        .map((line) => line.split(/\s+/)[0])
        .sort(),
    ).toEqual(['broken.ts', 'team/etl.ts:3']);
    expect(stdout).toContain('defines DAG "etl" but exports none');
    expect(await tidemark('dags', 'errors', '--json')).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ total_entries: 2 });
  });

  it('tasks xcom lists the XComs of a task with their values, one by --key, and names a missing one', async () => {
    const xcom = { dagRunId: run.dagRunId, dagId: 'orders', runId: run.runId, now: T0 };
    await setXcom(harness.database.db, {
      ...xcom,
      taskId: 'extract',
      mapIndex: -1,
      key: 'return_value',
      value: '{"rows":3}',
    });
    await setXcom(harness.database.db, {
      ...xcom,
      taskId: 'transform',
      mapIndex: 0,
      key: 'return_value',
      value: '"a"',
    });
    await setXcom(harness.database.db, {
      ...xcom,
      taskId: 'transform',
      mapIndex: 1,
      key: 'return_value',
      value: '"b"',
    });

    expect(await tidemark('tasks', 'xcom', 'orders', run.runId, 'extract')).toBe(0);
    expect(stdout).toMatch(/^KEY\s+MAP_INDEX\s+VALUE\nreturn_value\s+-\s+\{"rows":3\}\n$/);
    expect(await tidemark('tasks', 'xcom', 'orders', run.runId, 'transform')).toBe(0);
    expect(stdout.trimEnd().split('\n').slice(1)).toEqual([
      expect.stringMatching(/^return_value\s+0\s+"a"$/),
      expect.stringMatching(/^return_value\s+1\s+"b"$/),
    ]);
    expect(
      await tidemark('tasks', 'xcom', 'orders', run.runId, 'transform', '--map-index', '1', '--key', 'return_value'),
    ).toBe(0);
    expect(JSON.parse(stdout)).toBe('b');
    expect(await tidemark('tasks', 'xcom', 'orders', run.runId, 'extract', '--key', 'nope')).toBe(1);
    expect(stderr).toMatch(/^tidemark: .*"nope".*\n$/);
    expect(await tidemark('tasks', 'xcom', 'orders', run.runId, 'load')).toBe(0);
    expect(stdout).toBe(`No XComs of task load in run ${run.runId} of DAG orders.\n`);
  });

  it('trigger --wait details: when a task waiting for a retry is due, and the progress a running task reports', async () => {
    const client = new PublicApiClient(address, harness.token('viewer'));
    const progress = { value: { done: 40, total: 160 } };
    const statePath = `/api/v2/dags/orders/dagRuns/${run.runId}/taskInstances/transform/state-store/files?map_index=1`;
    expect((await harness.api('PUT', statePath, { role: 'op', payload: progress })).statusCode).toBe(200);
    await updateTi(
      harness,
      { runId: run.runId, taskId: 'transform', mapIndex: 0 },
      {
        state: 'up_for_retry',
        try_number: 1,
        max_tries: 4,
        next_retry_at: T0 + 90_000,
      },
    );
    await updateTi(
      harness,
      { runId: run.runId, taskId: 'transform', mapIndex: 1 },
      { state: 'running', try_number: 1 },
    );

    const latest = await client.getDagRun('orders', run.runId);
    const details = await runDetails(client, latest, T0 + 30_000);

    expect(details).toBe('transform[0] failed try 1 of 4, next try in 1m00s; transform[1] files 40/160 (25%)');
    await updateTi(harness, { runId: run.runId, taskId: 'transform', mapIndex: 0 }, { state: 'success' });
    await updateTi(harness, { runId: run.runId, taskId: 'transform', mapIndex: 1 }, { state: 'success' });
    expect(await runDetails(client, await client.getDagRun('orders', run.runId))).toBe('');
  });
});
