import { activateAsset } from '@tidemark/db';
import { eachDialect } from '@tidemark/db/testing';
import { openTaskInstanceHarness, seedOrdersRun, T0, type TaskInstanceHarness } from '@tidemark/server/testing';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../main.ts';
import { runTidemark } from '../testing/run-tidemark.ts';
import { parseExpires, parseStateValue, resolveTarget, writerCell } from './state-command.ts';

/**
 * `tidemark state …` in-process against a real api-server listening on a port (the task-instance
 * test kit: DAG `orders`, run manual__1, `transform` mapped over 3), through the real HTTP client.
 * Cheaper than a standalone subprocess; the binary's wiring is the same `main()`.
 */
describe.each(eachDialect())('tidemark state on %s', (dialect) => {
  let harness: TaskInstanceHarness;
  let stdout: string;
  let stderr: string;

  const TASK = ['--dag', 'orders', '--run', 'manual__1', '--task', 'extract'];

  async function tidemark(...args: string[]): Promise<number> {
    stdout = '';
    stderr = '';
    return main(['node', 'tidemark', ...args]);
  }

  beforeEach(async () => {
    harness = await openTaskInstanceHarness(dialect, { state: { max_value_bytes: 1_000 } });
    await seedOrdersRun(harness, { mapped: 3 });
    await activateAsset(harness.database.db, { name: 'orders', uri: 's3://warehouse/orders' }, T0);
    await activateAsset(harness.database.db, { name: 'orders_daily' }, T0);
    const address = await harness.app.listen({ host: '127.0.0.1', port: 0 });
    vi.stubEnv('TIDEMARK_HOME', harness.logsFolder);
    vi.stubEnv('TIDEMARK_API_URL', address);
    vi.stubEnv('TIDEMARK_API_TOKEN', harness.token('op'));
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      stdout += String(chunk);
      return true;
    });
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      stderr += String(chunk);
      return true;
    });
  });
  const assetIdOf = async (name: string) =>
    (await harness.api('GET', '/api/v2/assets?limit=100'))
      .json()
      .assets.find((asset: { name: string }) => asset.name === name).id as number;

  afterEach(async () => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
    await harness.close();
  });

  it('set, get, list, history, delete on task state', async () => {
    expect(await tidemark('state', 'set', 'cursor', '{"page": 3}', ...TASK, '--expires', 'never')).toBe(0);
    expect(stdout).toBe(
      'Set key "cursor" of task extract of run manual__1 of DAG orders (version 1; never expires).\n',
    );
    expect(await tidemark('state', 'set', 'a/b', '"x"', ...TASK, '--json')).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ key: 'a/b', value: 'x', version: 1 });

    expect(await tidemark('state', 'get', 'cursor', ...TASK)).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ page: 3 });
    expect(await tidemark('state', 'get', 'a/b', ...TASK, '--json')).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ key: 'a/b', value: 'x' });

    expect(await tidemark('state', 'list', ...TASK)).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^KEY\s+VERSION\s+UPDATED\s+EXPIRES\s+VALUE$/);
    expect(lines.slice(1).map((line) => line.split(/\s+/)[0])).toEqual(['a/b', 'cursor']);
    expect(await tidemark('state', 'list', ...TASK, '--json', '--limit', '1')).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ total_entries: 2, task_state_store: [{ key: 'a/b' }] });

    expect(await tidemark('state', 'set', 'cursor', '4', ...TASK, '--if-version', '1')).toBe(0);
    expect(await tidemark('state', 'set', 'cursor', '5', ...TASK, '--if-version', '1')).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^tidemark: state key "cursor" is at version 2, not 1; read it again and retry\n$/);

    expect(await tidemark('state', 'delete', 'cursor', ...TASK)).toBe(0);
    expect(await tidemark('state', 'history', 'cursor', ...TASK, '--json')).toBe(0);
    const history = JSON.parse(stdout).history as { operation: string; written_by: unknown }[];
    expect(history.map((entry) => entry.operation)).toEqual(['delete', 'set', 'set']);
    expect(history[0]?.written_by).toEqual({ kind: 'api', user: 'alice' });
    expect(await tidemark('state', 'history', 'cursor', ...TASK)).toBe(0);
    expect(stdout).toMatch(/^VERSION\s+OPERATION\s+WRITTEN\s+WRITTEN_BY\s+VALUE\n\s*3\s+delete\s/);

    expect(await tidemark('state', 'get', 'cursor', ...TASK)).toBe(1);
    expect(stderr).toMatch(/^tidemark: .*has no state key "cursor"/);
  });

  it('clear of one map index or all of them', async () => {
    const transform = ['--dag', 'orders', '--run', 'manual__1', '--task', 'transform'];
    for (const index of ['0', '1']) {
      expect(await tidemark('state', 'set', 'k', index, ...transform, '--map-index', index)).toBe(0);
    }
    expect(await tidemark('state', 'clear', ...transform, '--map-index', '0')).toBe(0);
    expect(await tidemark('state', 'list', ...transform, '--map-index', '1', '--json')).toBe(0);
    expect(JSON.parse(stdout).total_entries).toBe(1);
    expect(await tidemark('state', 'clear', ...transform, '--all-map-indices')).toBe(0);
    expect(stdout).toBe('Cleared the state of task transform of run manual__1 of DAG orders, every map index.\n');
    expect(await tidemark('state', 'list', ...transform, '--map-index', '1', '--json')).toBe(0);
    expect(JSON.parse(stdout).total_entries).toBe(0);
  });

  it('asset state by exact asset name: set, get, list with the writer', async () => {
    expect(await tidemark('state', 'set', 'watermark', '"2026-01-01"', '--asset', 'orders')).toBe(0);
    expect(await tidemark('state', 'get', 'watermark', '--asset', 'orders')).toBe(0);
    expect(JSON.parse(stdout)).toBe('2026-01-01');
    expect(await tidemark('state', 'list', '--asset', 'orders')).toBe(0);
    expect(stdout).toMatch(
      /^KEY\s+VERSION\s+UPDATED\s+UPDATED_BY\s+VALUE\nwatermark\s+1\s+.*api:alice\s+"2026-01-01"\n$/,
    );
    expect(await tidemark('state', 'list', '--asset', 'orders_daily', '--json')).toBe(0);
    expect(JSON.parse(stdout).total_entries).toBe(0);
    expect(await tidemark('state', 'list', '--asset', 'nope')).toBe(1);
    expect(stderr).toBe('tidemark: no asset named "nope"; "tidemark assets list" shows the assets\n');
  });

  it('DAG state with --dag-scope: set, get, list with expiry and writer, history, restore, clear (SPEC §17)', async () => {
    const DAG = ['--dag', 'orders', '--dag-scope'];
    expect(await tidemark('state', 'set', 'cursor', '{"page": 1}', ...DAG)).toBe(0);
    expect(stdout).toBe('Set key "cursor" of DAG orders (version 1; never expires).\n');
    expect(await tidemark('state', 'set', 'cursor', '{"page": 2}', ...DAG, '--expires', '2030-01-01T00:00:00Z')).toBe(
      0,
    );
    expect(stdout).toMatch(/^Set key "cursor" of DAG orders \(version 2; expires 2030-01-01/);
    expect(await tidemark('state', 'get', 'cursor', ...DAG)).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ page: 2 });
    expect(await tidemark('state', 'list', ...DAG)).toBe(0);
    expect(stdout).toMatch(
      /^KEY\s+VERSION\s+UPDATED\s+EXPIRES\s+UPDATED_BY\s+VALUE\ncursor\s+2\s+.*api:alice\s+\{"page":2\}\n$/,
    );
    expect(await tidemark('state', 'set', 'cursor', '3', ...DAG, '--if-version', '1')).toBe(1);
    expect(stderr).toMatch(/^tidemark: state key "cursor" is at version 2, not 1/);
    expect(await tidemark('state', 'restore', 'cursor', ...DAG, '--version', '1')).toBe(0);
    expect(stdout).toBe('Restored version 1 of key "cursor" of DAG orders as version 3.\n');
    expect(await tidemark('state', 'history', 'cursor', ...DAG, '--json')).toBe(0);
    expect(JSON.parse(stdout).history.map((entry: { value: unknown }) => entry.value)).toEqual([
      { page: 1 },
      { page: 2 },
      { page: 1 },
    ]);
    expect(await tidemark('state', 'clear', ...DAG)).toBe(0);
    expect(stdout).toBe('Cleared the state of DAG orders.\n');
    expect(await tidemark('state', 'list', '--dag', 'nope', '--dag-scope')).toBe(1);
    expect(stderr).toMatch(/^tidemark: DAG "nope" does not exist/);
    expect(await tidemark('state', 'list', '--dag-scope')).toBe(2);
    expect(stderr).toMatch(/^tidemark: DAG state needs --dag/);
    expect(await tidemark('state', 'list', ...DAG, '--run', 'manual__1')).toBe(2);
    expect(await tidemark('state', 'clear', ...DAG, '--all-map-indices')).toBe(2);
  });

  it('the state of one item of an item-keyed mapped task with --item-key', async () => {
    const item = ['--dag', 'orders', '--run', 'manual__1', '--task', 'transform', '--item-key', 'order-7'];
    expect(await tidemark('state', 'set', 'job_id', '"job-1"', ...item)).toBe(0);
    expect(stdout).toMatch(/^Set key "job_id" of task transform item "order-7" of run manual__1 of DAG orders/);
    expect(await tidemark('state', 'get', 'job_id', ...item)).toBe(0);
    expect(JSON.parse(stdout)).toBe('job-1');
    expect(
      await tidemark(
        'state',
        'list',
        '--dag',
        'orders',
        '--run',
        'manual__1',
        '--task',
        'transform',
        '--map-index',
        '0',
        '--json',
      ),
    ).toBe(0);
    expect(JSON.parse(stdout).total_entries).toBe(0);
    expect(await tidemark('state', 'get', 'job_id', ...item, '--map-index', '0')).toBe(2);
  });

  it('restore: reads the current version when --if-version is omitted; --if-version guards it', async () => {
    for (const value of ['1', '2', '3']) expect(await tidemark('state', 'set', 'cursor', value, ...TASK)).toBe(0);
    expect(await tidemark('state', 'restore', 'cursor', ...TASK, '--version', '1')).toBe(0);
    expect(stdout).toBe(
      'Restored version 1 of key "cursor" of task extract of run manual__1 of DAG orders as version 4.\n',
    );
    expect(await tidemark('state', 'restore', 'cursor', ...TASK, '--version', '2', '--if-version', '3')).toBe(1);
    expect(stderr).toBe('tidemark: state key "cursor" is at version 4, not 3; read it again and retry\n');
    expect(await tidemark('state', 'restore', 'cursor', ...TASK, '--version', '2', '--if-version', '4', '--json')).toBe(
      0,
    );
    expect(JSON.parse(stdout)).toMatchObject({ key: 'cursor', value: 2, version: 5 });
    expect(await tidemark('state', 'restore', 'cursor', ...TASK, '--version', '99')).toBe(1);
    expect(stderr).toMatch(/^tidemark: .*has no version 99 of state key "cursor" in its history/);
    expect(await tidemark('state', 'restore', 'cursor', ...TASK)).toBe(2);
    expect(stderr).toMatch(/required option '--version <n>' not specified/);

    expect(await tidemark('state', 'set', 'watermark', '"2026-01-01"', '--asset', 'orders')).toBe(0);
    expect(await tidemark('state', 'delete', 'watermark', '--asset', 'orders')).toBe(0);
    expect(await tidemark('state', 'restore', 'watermark', '--asset', 'orders', '--version', '1')).toBe(0);
    expect(stdout).toBe('Restored version 1 of key "watermark" of asset orders as version 3.\n');
    expect(await tidemark('state', 'get', 'watermark', '--asset', 'orders')).toBe(0);
    expect(JSON.parse(stdout)).toBe('2026-01-01');
  });

  it('history and restore through the real binary (a subprocess)', async () => {
    const env = {
      TIDEMARK_HOME: harness.logsFolder,
      TIDEMARK_API_URL: process.env.TIDEMARK_API_URL as string,
      TIDEMARK_API_TOKEN: harness.token('op'),
    };
    for (const value of ['"a"', '"b"']) expect(await tidemark('state', 'set', 'k', value, '--asset', 'orders')).toBe(0);
    const history = await runTidemark(['state', 'history', 'k', '--asset', 'orders'], env);
    expect(history).toMatchObject({ code: 0, stderr: '' });
    expect(history.stdout).toMatch(
      /^VERSION\s+OPERATION\s+WRITTEN\s+WRITTEN_BY\s+VALUE\n\s*2\s+set\s.*"b"\n\s*1\s+set\s.*"a"\n$/,
    );
    const restored = await runTidemark(['state', 'restore', 'k', '--asset', 'orders', '--version', '1'], env);
    expect(restored).toEqual({
      code: 0,
      stdout: 'Restored version 1 of key "k" of asset orders as version 3.\n',
      stderr: '',
    });
    const stale = await runTidemark(
      ['state', 'restore', 'k', '--asset', 'orders', '--version', '2', '--if-version', '2'],
      env,
    );
    expect(stale).toEqual({
      code: 1,
      stdout: '',
      stderr: 'tidemark: state key "k" is at version 3, not 2; read it again and retry\n',
    });
    const viewer = await runTidemark(['state', 'restore', 'k', '--asset', 'orders', '--version', '2'], {
      ...env,
      TIDEMARK_API_TOKEN: harness.token('viewer'),
    });
    expect(viewer.code).toBe(1);
    expect(viewer.stderr).toMatch(/^tidemark: this needs the role "op"/);
    expect(
      (await harness.api('GET', `/api/v2/assets/${await assetIdOf('orders')}/state-store/k`)).json(),
    ).toMatchObject({
      value: 'a',
      version: 3,
      last_updated_by: { kind: 'api', user: 'alice' },
    });
  });

  it('usage errors are one line with exit code 2; API errors exit 1', async () => {
    expect(await tidemark('state', 'list')).toBe(2);
    expect(stderr).toMatch(/^tidemark: name the state/);
    expect(await tidemark('state', 'set', 'k', '{oops', ...TASK)).toBe(2);
    expect(stderr).toMatch(/^tidemark: the value is not valid JSON/);
    expect(await tidemark('state', 'set', 'k', '1', '--asset', 'orders', '--expires', 'never')).toBe(2);
    expect(await tidemark('state', 'list', '--asset', 'orders', '--dag', 'orders')).toBe(2);
    expect(await tidemark('state', 'set', 'k', `"${'x'.repeat(2_000)}"`, ...TASK)).toBe(1);
    expect(stderr).toMatch(/^tidemark: state value is \d+ bytes of JSON, over the limit of 1000 bytes/);
    vi.stubEnv('TIDEMARK_API_TOKEN', harness.token('viewer'));
    expect(await tidemark('state', 'set', 'k', '1', ...TASK)).toBe(1);
    expect(stderr).toMatch(/^tidemark: this needs the role "op"/);
  });
});

describe('state command helpers', () => {
  it('resolves the target', () => {
    expect(resolveTarget({ asset: 'a' })).toEqual({ kind: 'asset', name: 'a' });
    expect(resolveTarget({ dag: 'd', run: 'r', task: 't', mapIndex: 2 })).toEqual({
      kind: 'task',
      ti: { dagId: 'd', runId: 'r', taskId: 't', mapIndex: 2 },
    });
    expect(resolveTarget({ dag: 'd', dagScope: true })).toEqual({ kind: 'dag', dagId: 'd' });
    expect(resolveTarget({ dag: 'd', run: 'r', task: 't', itemKey: 'k' })).toEqual({
      kind: 'task',
      ti: { dagId: 'd', runId: 'r', taskId: 't', itemKey: 'k' },
    });
    expect(resolveTarget({ dag: 'd' })).toEqual({
      problem: 'task state needs --dag, --run and --task; missing --run, --task',
    });
  });

  it('parses values and expiries', () => {
    expect(parseStateValue('{"a": 1}')).toEqual({ value: { a: 1 } });
    expect(parseStateValue('null')).toHaveProperty('problem');
    expect(parseExpires(undefined)).toEqual({ expiresAt: undefined });
    expect(parseExpires('default')).toEqual({ expiresAt: 'default' });
    expect(parseExpires('never')).toEqual({ expiresAt: null });
    expect(parseExpires('2026-12-31T00:00:00Z')).toEqual({ expiresAt: '2026-12-31T00:00:00.000Z' });
    expect(parseExpires('tomorrow')).toHaveProperty('problem');
  });

  it('formats writers', () => {
    expect(writerCell({ kind: 'api', user: 'bob' })).toBe('api:bob');
    expect(writerCell({ kind: 'task', dag_id: 'd', run_id: 'r', task_id: 't', map_index: 1, try_number: 2 })).toBe(
      'task:d.t[1]@r#2',
    );
    expect(writerCell(null)).toBeNull();
  });
});
