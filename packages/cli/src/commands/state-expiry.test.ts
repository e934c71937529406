import { eachDialect } from '@tidemark/db/testing';
import { openTaskInstanceHarness, T0, type TaskInstanceHarness } from '@tidemark/server/testing';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../main.ts';

/**
 * SPEC §3/§6: a task-state key past its `expires_at` is invisible at once on every read path —
 * the execution API (what `ctx.taskState` uses), the public API, and `tidemark state` — while its
 * row is still in the table (garbage collection has not run). One api-server, one manual clock.
 */
describe.each(eachDialect())('expired task state on every read path on %s', (dialect) => {
  let harness: TaskInstanceHarness;
  let stdout: string;
  let stderr: string;
  let tiId: string;
  let token: string;

  const PUBLIC = '/api/v2/dags/orders/dagRuns/manual__1/taskInstances/load/state-store';
  const TASK = ['--dag', 'orders', '--run', 'manual__1', '--task', 'load'];
  const execution = (method: 'GET' | 'PUT', key?: string, payload?: object) =>
    harness.request({
      method,
      url: `/execution/store/ti/${tiId}${key === undefined ? '' : `/${encodeURIComponent(key)}`}`,
      token,
      ...(payload ? { payload } : {}),
    });

  async function tidemark(...args: string[]): Promise<number> {
    stdout = '';
    stderr = '';
    return main(['node', 'tidemark', ...args]);
  }

  async function storedKeys(): Promise<string[]> {
    const rows = await harness.database.db.selectFrom('task_state').select('key').orderBy('key').execute();
    return rows.map((row) => row.key);
  }

  beforeEach(async () => {
    harness = await openTaskInstanceHarness(dialect, { state: { default_retention: '1m' } });
    const run = await harness.seedRun('manual__1');
    await harness.seedTi(run, { taskId: 'load' });
    ({ ti_id: tiId, token } = await harness.claim());
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
  afterEach(async () => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
    await harness.close();
  });

  it('retention, an absolute expires_at and the default all hide the key the moment they pass', async () => {
    expect((await execution('PUT', 'by-retention', { value: 1, retention: '30s' })).statusCode).toBe(204);
    expect((await execution('PUT', 'by-default', { value: 2 })).statusCode).toBe(204);
    const at = new Date(T0 + 30_000).toISOString();
    expect(
      (await harness.api('PUT', `${PUBLIC}/by-date`, { role: 'op', payload: { value: 3, expires_at: at } })).statusCode,
    ).toBe(200);
    expect((await execution('PUT', 'forever', { value: 4, retention: 'NEVER_EXPIRE' })).statusCode).toBe(204);

    harness.clock.advance(29_999);
    expect((await execution('GET', 'by-retention')).statusCode).toBe(200);
    expect((await harness.api('GET', `${PUBLIC}/by-date`)).statusCode).toBe(200);

    harness.clock.advance(1); // now == expires_at of by-retention and by-date: expired
    const expired = ['by-retention', 'by-date'];
    for (const key of expired) {
      expect((await execution('GET', key)).statusCode).toBe(404);
      expect((await harness.api('GET', `${PUBLIC}/${key}`)).statusCode).toBe(404);
      expect(await tidemark('state', 'get', key, ...TASK)).toBe(1);
      expect(stderr).toContain(`"${key}"`);
    }
    const live = ['by-default', 'forever'];
    const executionList = (await execution('GET')).json() as { keys: { key: string }[] };
    expect(executionList.keys.map((entry) => entry.key)).toEqual(live);
    const publicList = (await harness.api('GET', PUBLIC)).json() as {
      task_state_store: { key: string }[];
      total_entries: number;
    };
    expect(publicList.task_state_store.map((entry) => entry.key)).toEqual(live);
    expect(publicList.total_entries).toBe(2);
    expect(await tidemark('state', 'list', ...TASK, '--json')).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({
      total_entries: 2,
      task_state_store: [{ key: 'by-default' }, { key: 'forever' }],
    });
    expect(await tidemark('state', 'list', ...TASK)).toBe(0);
    expect(stdout).not.toContain('by-retention');
    expect(stdout).not.toContain('by-date');

    // Invisible, not yet deleted: the rows wait for garbage collection.
    expect(await storedKeys()).toEqual(['by-date', 'by-default', 'by-retention', 'forever']);

    harness.clock.advance(30_000); // the default retention of 1m has passed too (the token's 10m has not)
    expect((await execution('GET', 'by-default')).statusCode).toBe(404);
    expect((await harness.api('GET', PUBLIC)).json()).toMatchObject({
      total_entries: 1,
      task_state_store: [{ key: 'forever' }],
    });
  });

  it('an expired key counts as absent for compare-and-set and starts over when written again', async () => {
    expect((await execution('PUT', 'job', { value: 'a', retention: '1s' })).statusCode).toBe(204);
    harness.clock.advance(1_000);
    const stale = await execution('PUT', 'job', { value: 'b', if_version: 1 });
    expect(stale.statusCode).toBe(412);
    const fresh = await execution('PUT', 'job', { value: 'c', if_version: 0 });
    expect(fresh.statusCode).toBe(204);
    expect((await execution('GET', 'job')).json()).toMatchObject({ value: 'c' });
    expect(await tidemark('state', 'get', 'job', ...TASK)).toBe(0);
    expect(JSON.parse(stdout)).toBe('c');
  });
});
