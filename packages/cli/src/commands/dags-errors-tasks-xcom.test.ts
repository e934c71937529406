import { replaceImportErrors, setXcom } from '@tidemark/db';
import { eachDialect } from '@tidemark/db/testing';
import {
  type OrdersRun,
  openTaskInstanceHarness,
  seedOrdersRun,
  T0,
  type TaskInstanceHarness,
} from '@tidemark/server/testing';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../main.ts';

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

  beforeEach(async () => {
    harness = await openTaskInstanceHarness(dialect);
    run = await seedOrdersRun(harness, { mapped: 2 });
    const address = await harness.app.listen({ host: '127.0.0.1', port: 0 });
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
});
