import { MAX_JSON_DEPTH } from '@tidemark/core';
import { eachDialect } from '@tidemark/db/testing';
import {
  deeplyNested,
  openTaskInstanceHarness,
  seedOrdersRun,
  type TaskInstanceHarness,
} from '@tidemark/server/testing';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../main.ts';

/**
 * Issue 13, item 11: `tidemark state set` refuses what the API refuses, with the API's one-line
 * reason, and sends nothing: non-finite numbers (JSON.parse reads 1e999 as Infinity, which was sent
 * as null) and values nested deeper than the limit (5,000 deep used to say "cannot reach the
 * api-server").
 */
describe.each(eachDialect())('tidemark state set and the value rules (%s)', (dialect) => {
  let harness: TaskInstanceHarness;
  let stderr: string;
  const TASK = ['--dag', 'orders', '--run', 'manual__1', '--task', 'extract'];
  const PUBLIC_KEY = '/api/v2/dags/orders/dagRuns/manual__1/taskInstances/extract/state-store/k';

  beforeEach(async () => {
    harness = await openTaskInstanceHarness(dialect);
    await seedOrdersRun(harness, { mapped: 0 });
    const address = await harness.app.listen({ host: '127.0.0.1', port: 0 });
    vi.stubEnv('TIDEMARK_HOME', harness.logsFolder);
    vi.stubEnv('TIDEMARK_API_URL', address);
    vi.stubEnv('TIDEMARK_API_TOKEN', harness.token('op'));
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
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

  async function stateSet(valueText: string): Promise<number> {
    stderr = '';
    return main(['node', 'tidemark', 'state', 'set', 'k', valueText, ...TASK]);
  }

  /** The API's message for the same value text, sent raw. */
  async function apiMessage(valueText: string): Promise<string> {
    const response = await harness.api('PUT', PUBLIC_KEY, {
      role: 'op',
      headers: { 'content-type': 'application/json' },
      payload: `{"value":${valueText}}`,
    });
    expect(response.statusCode).toBe(422);
    return (response.json() as { detail: { message: string } }).detail.message;
  }

  it('refuses non-finite numbers, nested or at the top, with the API reason', async () => {
    for (const text of ['{"a":[1,1e999]}', '1e999', '-1e999']) {
      expect(await stateSet(text), text).toBe(2);
      const message = await apiMessage(text);
      expect(message).toMatch(/finite/);
      expect(stderr, text).toContain(message);
      expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    }
    expect(await harness.database.db.selectFrom('task_state').select('key').execute()).toEqual([]);
  });

  it(`refuses values nested deeper than ${MAX_JSON_DEPTH} levels with the API reason, 5,000 deep included`, async () => {
    const justOver = deeplyNested(MAX_JSON_DEPTH + 1, 'array');
    expect(await stateSet(justOver)).toBe(2);
    expect(stderr).toContain(await apiMessage(justOver));
    expect(await stateSet(deeplyNested(5_000, 'object'))).toBe(2);
    expect(stderr).toContain(`more than ${MAX_JSON_DEPTH} levels deep`);
    expect(stderr).not.toContain('cannot reach');
    expect(await harness.database.db.selectFrom('task_state').select('key').execute()).toEqual([]);
    expect(await stateSet(deeplyNested(MAX_JSON_DEPTH, 'array'))).toBe(0);
  });
});
