import { eachDialect } from '@tidemark/db/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  openTaskInstanceHarness,
  seedOrdersRun,
  type TaskInstanceHarness,
} from '../../testing/task-instance-test-kit.ts';

/**
 * Issue 13, item 8: the keys `.` and `..` (valid per SPEC §5) through a WHATWG `fetch`, as a
 * browser (the UI) sends them: such a client drops `.`/`..` path segments even as `%2E`, so the
 * `{key}` routes take the key from `?key=` when the key segment is `~`. Without `?key=`, `~` is the
 * key "~" itself.
 */
describe.each(eachDialect())('dot-only keys from a browser-like client (%s)', (dialect) => {
  let harness: TaskInstanceHarness;
  let origin: string;
  const STORE = '/api/v2/dags/orders/dagRuns/manual__1/taskInstances/extract/state-store';

  beforeEach(async () => {
    harness = await openTaskInstanceHarness(dialect);
    await seedOrdersRun(harness, { mapped: 0 });
    origin = await harness.app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterEach(() => harness.close());

  async function call(method: string, path: string, body?: unknown, ifMatch?: number) {
    const response = await fetch(`${origin}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${harness.token('op')}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(ifMatch === undefined ? {} : { 'if-match': `"${ifMatch}"` }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>) };
  }

  it('writes, reads, patches, lists history, restores and deletes the keys ".", ".." and "..."', async () => {
    for (const key of ['.', '..', '...']) {
      const query = `?key=${encodeURIComponent(key)}`;
      expect((await call('PUT', `${STORE}/~${query}`, { value: 1 })).status, key).toBe(200);
      expect((await call('GET', `${STORE}/~${query}`)).body).toMatchObject({ key, value: 1, version: 1 });
      expect((await call('PATCH', `${STORE}/~${query}`, { value: 2 })).body).toMatchObject({ key, version: 2 });
      const history = await call('GET', `${STORE}/~/history${query}`);
      expect(history.body).toMatchObject({ history: [{ version: 2 }, { version: 1 }] });
      expect((await call('POST', `${STORE}/~/history/1/restore${query}`, undefined, 2)).body).toMatchObject({
        key,
        value: 1,
        version: 3,
      });
    }
    const listed = await call('GET', STORE);
    const listedKeys = (listed.body?.task_state_store ?? []) as { key: string }[];
    expect(listedKeys.map((entry) => entry.key).sort()).toEqual(['.', '..', '...']);
    for (const key of ['.', '..', '...']) {
      expect((await call('DELETE', `${STORE}/~?key=${encodeURIComponent(key)}`)).status).toBe(204);
    }
    expect((await call('GET', STORE)).body?.task_state_store).toEqual([]);
  });

  it('still reads "~" as the key "~" when no ?key= is given', async () => {
    expect((await call('PUT', `${STORE}/~`, { value: 'tilde' })).status).toBe(200);
    expect((await call('GET', `${STORE}/%7E`)).body).toMatchObject({ key: '~', value: 'tilde' });
  });
});
