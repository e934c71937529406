import { encodePathSegment, MAX_STATE_KEY_CHARACTERS } from '@tidemark/core';
import { eachDialect } from '@tidemark/db/testing';
import { ExecutionApiClient } from '@tidemark/runtime';
import {
  openTaskInstanceHarness,
  SECRET_KEY,
  seedOrdersRun,
  type TaskInstanceHarness,
  updateTi,
} from '@tidemark/server/testing';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { sendRawPathRequest } from '../api/raw-path-http.ts';
import { main } from '../main.ts';

/**
 * Issue 13, item 8: every valid key (SPEC §5: 1–512 characters, any Unicode, `/`, `.` and `..`)
 * works on every path, over real HTTP: the worker's execution API client (what the SDK's accessors
 * go through), the public API, and the CLI; each reads what the others wrote.
 */
const KEYS = [
  'k'.repeat(101),
  'k'.repeat(MAX_STATE_KEY_CHARACTERS),
  '😀'.repeat(MAX_STATE_KEY_CHARACTERS),
  '.',
  '..',
  '...',
  'a/b',
  '../up',
  '%2E',
  ' spaced ',
];

describe.each(eachDialect())('every valid state key on every path (%s)', (dialect) => {
  let harness: TaskInstanceHarness;
  let apiUrl: string;
  let stdout: string;

  const TASK = ['--dag', 'orders', '--run', 'manual__1', '--task', 'extract'];
  const publicKeyPath = (key: string) =>
    `/api/v2/dags/orders/dagRuns/manual__1/taskInstances/extract/state-store/${encodePathSegment(key)}`;

  beforeEach(async () => {
    harness = await openTaskInstanceHarness(dialect);
    await seedOrdersRun(harness, { mapped: 0 });
    await updateTi(harness, { taskId: 'extract' }, { state: 'queued' });
    apiUrl = await harness.app.listen({ host: '127.0.0.1', port: 0 });
    vi.stubEnv('TIDEMARK_HOME', harness.logsFolder);
    vi.stubEnv('TIDEMARK_API_URL', apiUrl);
    vi.stubEnv('TIDEMARK_API_TOKEN', harness.token('op'));
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      stdout += String(chunk);
      return true;
    });
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });

  afterEach(async () => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
    await harness.close();
  });

  async function tidemark(...args: string[]): Promise<number> {
    stdout = '';
    return main(['node', 'tidemark', ...args]);
  }

  it('a key written by the worker is read by the public API and the CLI, and the other way round', async () => {
    const api = new ExecutionApiClient({ apiUrl, secretKey: SECRET_KEY, now: harness.clock.now });
    const claimed = await api.claim('host:1');
    if (!claimed) throw new Error('nothing was claimable');
    const attempt = api.forAttempt(claimed);
    const task = { kind: 'task' } as const;

    for (const key of KEYS) {
      await attempt.setState(task, key, { value: { from: 'worker', key } });

      const read = await sendRawPathRequest({
        baseUrl: apiUrl,
        path: publicKeyPath(key),
        method: 'GET',
        headers: { authorization: `Bearer ${harness.token('viewer')}` },
        timeoutMs: 10_000,
      });
      expect(read.status, key).toBe(200);
      expect(JSON.parse(read.text)).toMatchObject({ key, value: { from: 'worker', key } });

      expect(await tidemark('state', 'get', key, ...TASK), key).toBe(0);
      expect(JSON.parse(stdout)).toEqual({ from: 'worker', key });

      expect(await tidemark('state', 'set', key, '"from the CLI"', ...TASK), key).toBe(0);
      expect((await attempt.getState(task, key))?.value).toBe('from the CLI');
    }

    expect((await attempt.listStateKeys(task)).keys.map((entry) => entry.key).sort()).toEqual([...KEYS].sort());
    for (const key of KEYS) {
      expect(await tidemark('state', 'delete', key, ...TASK), key).toBe(0);
      expect(await attempt.getState(task, key), key).toBeNull();
    }
  });
});
