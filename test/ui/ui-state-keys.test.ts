import { eachDialect } from '@tidemark/db/testing';
import { openTaskInstanceHarness, seedOrdersRun, type TaskInstanceHarness } from '@tidemark/server/testing';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { configureHttp } from '../../packages/ui/src/api/http.ts';
import {
  deleteState,
  listState,
  restoreState,
  type StateOwner,
  stateHistory,
  writeState,
} from '../../packages/ui/src/api/state-api.ts';

/**
 * Issue 13, item 8, the UI's path: its state calls through a WHATWG `fetch` (which, as in a browser,
 * drops `.`/`..` path segments even percent-encoded) against a real api-server, for every kind of key.
 */
describe.each(eachDialect())('the UI state calls and every valid key (%s)', (dialect) => {
  let harness: TaskInstanceHarness;
  const owner: StateOwner = { kind: 'task', dagId: 'orders', runId: 'manual__1', taskId: 'extract', mapIndex: -1 };
  const KEYS = ['.', '..', '...', '~', 'a/b', '../x', 'k'.repeat(512), '😀'.repeat(512)];

  beforeEach(async () => {
    harness = await openTaskInstanceHarness(dialect);
    await seedOrdersRun(harness, { mapped: 0 });
    const origin = await harness.app.listen({ host: '127.0.0.1', port: 0 });
    const realFetch = globalThis.fetch;
    // The page's fetch resolves paths against its origin; here the origin is the test server.
    vi.stubGlobal('fetch', (path: string, init?: RequestInit) => realFetch(new URL(path, origin), init));
    configureHttp(
      () => harness.token('op'),
      () => {},
    );
  });
  afterEach(async () => {
    vi.unstubAllGlobals();
    await harness.close();
  });

  it('writes, lists, patches, restores and deletes each key', async () => {
    for (const key of KEYS) {
      await writeState(owner, key, { value: 1, expiry: 'default' });
      await writeState(owner, key, { value: 2 });
      const history = await stateHistory(owner, key);
      expect(
        history.map((entry) => entry.version),
        key,
      ).toEqual([2, 1]);
      await restoreState(owner, key, 1, 2);
    }
    const listed = await listState(owner);
    expect(listed.map((entry) => entry.key).sort()).toEqual([...KEYS].sort());
    expect(listed.every((entry) => entry.value === 1 && entry.version === 3)).toBe(true);
    for (const key of KEYS) await deleteState(owner, key, 3);
    expect(await listState(owner)).toEqual([]);
  });
});
