import {
  assetScope,
  dagScope,
  type StateBackend,
  type StateBackendSettings,
  type StateScope,
  type StateWriter,
  type TaskScope,
  taskScope,
} from '@tidemark/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../testing/manual-clock.ts';

/**
 * What a backend's test file gives the suite: the backend, plus the orchestrator records that
 * scopes refer to (runs and assets), made the way that backend's deployment makes them.
 */
export interface ConformanceHarness {
  readonly backend: StateBackend;
  /** A new DAG run; task state in it starts empty. */
  newRun(): Promise<{ dagId: string; runId: string }>;
  deleteRun(run: { dagId: string; runId: string }): Promise<void>;
  /** A new, active asset; returns its id. */
  newAsset(): Promise<number>;
  deactivateAsset(assetId: number): Promise<void>;
  /** A new DAG; its DAG state starts empty (SPEC §17). Returns its id. */
  newDag(): Promise<string>;
  /** Deletes the DAG (and so its runs and its DAG state). */
  deleteDag(dagId: string): Promise<void>;
  /** A second backend over the same store with other settings. */
  withSettings(settings: Partial<StateBackendSettings>): StateBackend;
  close(): Promise<void>;
}

export type ConformanceSetup = (settings: Required<StateBackendSettings>) => Promise<ConformanceHarness>;

const LIMIT_BYTES = 1024;
const HISTORY_DEPTH = 5;
const HOUR = 3_600_000;
const TASK_WRITER = {
  kind: 'task',
  dagId: 'd',
  runId: 'r',
  taskId: 't',
  mapIndex: -1,
  tryNumber: 2,
} satisfies StateWriter;

/**
 * SPEC §3–§8 as a test suite any state backend runs against itself:
 * `runStateBackendConformance('my backend', async (settings) => harness)`.
 */
export function runStateBackendConformance(name: string, setup: ConformanceSetup): void {
  describe(`state backend conformance: ${name}`, () => {
    let harness: ConformanceHarness;
    let backend: StateBackend;
    let clock: ManualClock;
    let task: TaskScope;
    let run: { dagId: string; runId: string };

    beforeEach(async () => {
      clock = new ManualClock();
      harness = await setup({ maxValueBytes: LIMIT_BYTES, historyDepth: HISTORY_DEPTH, clock: clock.now });
      backend = harness.backend;
      run = await harness.newRun();
      task = taskScope({ ...run, taskId: 'load' });
    });
    afterEach(async () => {
      await harness.close();
    });

    const mapped = (mapIndex: number, taskId = 'load') => taskScope({ ...run, taskId, mapIndex });
    const keysOf = async (scope: StateScope) => (await backend.list(scope)).entries.map((entry) => entry.key);

    describe('values and versions', () => {
      it('returns what was set, at version 1, with the write time', async () => {
        const entry = await backend.set(task, 'job_id', 'app-001');
        expect(entry).toMatchObject({ key: 'job_id', value: 'app-001', version: 1, updatedAt: clock.now() });
        expect(await backend.get(task, 'job_id')).toMatchObject({ value: 'app-001', version: 1 });
      });

      it('returns undefined for a key never set', async () => {
        expect(await backend.get(task, 'missing')).toBeUndefined();
      });

      it('overwrites (last writer wins) and bumps the version by one per write', async () => {
        for (let i = 1; i <= 5; i++) await backend.set(task, 'n', i);
        expect(await backend.get(task, 'n')).toMatchObject({ value: 5, version: 5 });
      });

      it('round-trips every kind of JSON value', async () => {
        const values = [
          '',
          'ünïcødé ✓ 𝄞',
          0,
          -1.5,
          1e21,
          false,
          true,
          [],
          [1, 'two', null],
          { a: { b: [null, { c: 'd' }] } },
        ];
        for (const [index, value] of values.entries()) await backend.set(task, `k${index}`, value);
        for (const [index, value] of values.entries())
          expect((await backend.get(task, `k${index}`))?.value).toEqual(value);
      });

      it('refreshes updatedAt on every write', async () => {
        await backend.set(task, 'k', 1);
        clock.advance(5_000);
        expect((await backend.set(task, 'k', 2)).updatedAt).toBe(clock.now());
        expect((await backend.get(task, 'k'))?.updatedAt).toBe(clock.now());
      });
    });

    describe('value rules (SPEC §5)', () => {
      const refused = [
        ['null', null, /must not be null/],
        ['undefined', undefined, /must not be undefined/],
        ['NaN nested in an object', { rate: Number.NaN }, /finite.*\$\.rate/],
        ['Infinity in an array', [1, Number.POSITIVE_INFINITY], /finite.*\$\[1\]/],
        ['a Date', { at: new Date(0) }, /Date at \$\.at.*toISOString/],
        ['a Map', new Map([['a', 1]]), /Map/],
        ['a function', { run: () => 1 }, /function/],
        ['a bigint', 10n, /bigint/],
      ] as const;
      for (const [what, value, message] of refused) {
        it(`refuses ${what} and stores nothing`, async () => {
          await expect(backend.set(task, 'k', value as never)).rejects.toMatchObject({
            code: 'invalid_state_value',
            message: expect.stringMatching(message),
          });
          expect(await backend.get(task, 'k')).toBeUndefined();
          expect(await backend.history(task, 'k')).toEqual([]);
        });
      }

      it('refuses a circular value', async () => {
        const value: Record<string, unknown> = {};
        value.self = value;
        await expect(backend.set(task, 'k', value as never)).rejects.toMatchObject({ code: 'invalid_state_value' });
      });

      it('refuses a value over the size limit, naming the limit, and keeps the old value', async () => {
        await backend.set(task, 'k', 'small');
        const error = await backend.set(task, 'k', 'x'.repeat(LIMIT_BYTES)).catch((caught: unknown) => caught);
        expect(error).toMatchObject({ code: 'value_too_large' });
        expect((error as Error).message).toContain(`${LIMIT_BYTES} bytes`);
        expect((error as Error).message).toContain('offload');
        expect(await backend.get(task, 'k')).toMatchObject({ value: 'small', version: 1 });
      });

      it('measures the limit in UTF-8 bytes of the JSON text, inclusive', async () => {
        // "é" is 2 bytes in UTF-8; the JSON string adds 2 quote bytes.
        const atLimit = 'é'.repeat((LIMIT_BYTES - 2) / 2);
        await expect(backend.set(task, 'k', atLimit)).resolves.toMatchObject({ version: 1 });
        await expect(backend.set(task, 'k', `${atLimit}a`)).rejects.toMatchObject({ code: 'value_too_large' });
      });

      it('has no size limit when max value bytes is 0', async () => {
        const unlimited = harness.withSettings({ maxValueBytes: 0 });
        const big = 'y'.repeat(LIMIT_BYTES * 50);
        await unlimited.set(task, 'big', big);
        expect((await unlimited.get(task, 'big'))?.value).toBe(big);
      });
    });

    describe('key rules (SPEC §5)', () => {
      it('refuses an empty key with a message naming the rule and the length', async () => {
        await expect(backend.set(task, '', 1)).rejects.toMatchObject({
          code: 'invalid_state_key',
          message: 'state key must be 1–512 characters, got 0',
        });
        await expect(backend.get(task, '')).rejects.toMatchObject({ code: 'invalid_state_key' });
      });

      it('accepts 512 characters and refuses 513', async () => {
        await expect(backend.set(task, 'k'.repeat(512), 1)).resolves.toMatchObject({ version: 1 });
        await expect(backend.set(task, 'k'.repeat(513), 1)).rejects.toMatchObject({
          message: 'state key must be 1–512 characters, got 513',
        });
        expect(await keysOf(task)).toEqual(['k'.repeat(512)]);
      });

      it('counts characters, not UTF-16 units: 512 astral characters are a valid key', async () => {
        const key = '𝄞'.repeat(512);
        await backend.set(task, key, 1);
        expect(await backend.get(task, key)).toMatchObject({ value: 1 });
      });

      it('accepts "/" and any Unicode in keys', async () => {
        for (const key of ['a/b/c', '/leading', 'ключ', 'spaces and\ttabs', '%2F']) await backend.set(task, key, key);
        for (const key of ['a/b/c', '/leading', 'ключ', 'spaces and\ttabs', '%2F']) {
          expect((await backend.get(task, key))?.value).toBe(key);
        }
      });

      it('refuses NUL and unpaired surrogates', async () => {
        await expect(backend.set(task, 'a\u0000b', 1)).rejects.toMatchObject({ code: 'invalid_state_key' });
        await expect(backend.set(task, 'a\ud800', 1)).rejects.toMatchObject({ code: 'invalid_state_key' });
        expect(await keysOf(task)).toEqual([]);
      });
    });

    describe('compare-and-set (SPEC §7)', () => {
      it('if_version 0 creates a key only when it is absent', async () => {
        await expect(backend.set(task, 'k', 'first', { ifVersion: 0 })).resolves.toMatchObject({ version: 1 });
        await expect(backend.set(task, 'k', 'second', { ifVersion: 0 })).rejects.toMatchObject({
          code: 'state_conflict',
          expectedVersion: 0,
          actualVersion: 1,
        });
        expect((await backend.get(task, 'k'))?.value).toBe('first');
      });

      it('writes when if_version matches and refuses a stale one, changing nothing', async () => {
        await backend.set(task, 'k', 'a');
        await expect(backend.set(task, 'k', 'b', { ifVersion: 1 })).resolves.toMatchObject({ version: 2 });
        await expect(backend.set(task, 'k', 'c', { ifVersion: 1 })).rejects.toMatchObject({
          code: 'state_conflict',
          actualVersion: 2,
        });
        expect(await backend.get(task, 'k')).toMatchObject({ value: 'b', version: 2 });
        expect(await backend.history(task, 'k')).toHaveLength(2);
      });

      it('refuses a positive if_version for an absent key', async () => {
        await expect(backend.set(task, 'k', 1, { ifVersion: 3 })).rejects.toMatchObject({ actualVersion: 0 });
        expect(await backend.get(task, 'k')).toBeUndefined();
      });

      it('refuses a malformed if_version', async () => {
        await expect(backend.set(task, 'k', 1, { ifVersion: -1 })).rejects.toMatchObject({
          code: 'invalid_state_option',
        });
        await expect(backend.set(task, 'k', 1, { ifVersion: 1.5 })).rejects.toMatchObject({
          code: 'invalid_state_option',
        });
      });

      it('guards delete: a stale if_version keeps the key, a matching one deletes it', async () => {
        await backend.set(task, 'k', 'a');
        await backend.set(task, 'k', 'b');
        await expect(backend.delete(task, 'k', { ifVersion: 1 })).rejects.toMatchObject({ code: 'state_conflict' });
        expect(await backend.get(task, 'k')).toMatchObject({ value: 'b' });
        await expect(backend.delete(task, 'k', { ifVersion: 2 })).resolves.toBe(true);
        expect(await backend.get(task, 'k')).toBeUndefined();
      });

      it('lets exactly one of 20 concurrent writers with the same if_version win', async () => {
        await backend.set(task, 'k', 'start');
        const results = await Promise.allSettled(
          Array.from({ length: 20 }, (_, i) => backend.set(task, 'k', `writer-${i}`, { ifVersion: 1 })),
        );
        const winners = results.filter((result) => result.status === 'fulfilled');
        const losers = results.filter((result) => result.status === 'rejected');
        expect(winners).toHaveLength(1);
        expect(losers.every((result) => (result.reason as { code?: string }).code === 'state_conflict')).toBe(true);
        const winner = (winners[0] as PromiseFulfilledResult<{ value: unknown }>).value.value;
        expect(await backend.get(task, 'k')).toMatchObject({ value: winner, version: 2 });
      });

      it('lets exactly one of 20 concurrent "only if absent" creators win', async () => {
        const results = await Promise.allSettled(
          Array.from({ length: 20 }, (_, i) => backend.set(task, 'lock', i, { ifVersion: 0 })),
        );
        expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
        expect(await backend.get(task, 'lock')).toMatchObject({ version: 1 });
      });

      it('never reuses a version after delete and re-create', async () => {
        await backend.set(task, 'k', 'a');
        await backend.set(task, 'k', 'b');
        await backend.delete(task, 'k');
        const recreated = await backend.set(task, 'k', 'c');
        expect(recreated.version).toBeGreaterThan(2);
        await expect(backend.set(task, 'k', 'd', { ifVersion: 2 })).rejects.toMatchObject({ code: 'state_conflict' });
      });
    });

    describe('delete and clear (SPEC §3)', () => {
      it('delete is idempotent', async () => {
        expect(await backend.delete(task, 'never-set')).toBe(false);
        await backend.set(task, 'k', 1);
        expect(await backend.delete(task, 'k')).toBe(true);
        expect(await backend.delete(task, 'k')).toBe(false);
      });

      it('clear removes every key of the scope and reports how many', async () => {
        await backend.set(task, 'a', 1);
        await backend.set(task, 'b', 2);
        expect(await backend.clear(task)).toBe(2);
        expect(await keysOf(task)).toEqual([]);
        expect(await backend.clear(task)).toBe(0);
      });

      it('clearing one map index leaves the other indices and tasks alone', async () => {
        for (const index of [0, 1, 2]) await backend.set(mapped(index), 'job_id', `job-${index}`);
        await backend.set(mapped(-1, 'other'), 'job_id', 'other');
        expect(await backend.clear(mapped(1))).toBe(1);
        expect(await keysOf(mapped(1))).toEqual([]);
        expect((await backend.get(mapped(0), 'job_id'))?.value).toBe('job-0');
        expect((await backend.get(mapped(2), 'job_id'))?.value).toBe('job-2');
        expect((await backend.get(mapped(-1, 'other'), 'job_id'))?.value).toBe('other');
      });

      it('clearing all map indices removes every index of that task only', async () => {
        for (const index of [0, 1, 2]) await backend.set(mapped(index), 'job_id', `job-${index}`);
        await backend.set(mapped(0, 'other'), 'job_id', 'kept');
        expect(await backend.clear(mapped(0), { allMapIndices: true })).toBe(3);
        for (const index of [0, 1, 2]) expect(await backend.get(mapped(index), 'job_id')).toBeUndefined();
        expect((await backend.get(mapped(0, 'other'), 'job_id'))?.value).toBe('kept');
      });

      it('refuses all map indices for asset state', async () => {
        const asset = assetScope(await harness.newAsset());
        await expect(backend.clear(asset, { allMapIndices: true })).rejects.toMatchObject({
          code: 'invalid_state_option',
        });
      });
    });

    describe('scopes (SPEC §3, §4)', () => {
      it('isolates map indices: each has its own namespace', async () => {
        await backend.set(mapped(0), 'job_id', 'app-000');
        await backend.set(mapped(1), 'job_id', 'app-001');
        expect((await backend.get(mapped(0), 'job_id'))?.value).toBe('app-000');
        expect((await backend.get(mapped(1), 'job_id'))?.value).toBe('app-001');
        expect(await backend.get(mapped(-1), 'job_id')).toBeUndefined();
      });

      it('gives a new run a fresh, empty task namespace', async () => {
        await backend.set(task, 'offset', 10);
        const next = await harness.newRun();
        const nextTask = taskScope({ ...next, taskId: 'load' });
        expect(await backend.get(nextTask, 'offset')).toBeUndefined();
        expect(await backend.list(nextTask)).toEqual({ entries: [], total: 0 });
      });

      it('keeps task state and asset state apart, and assets apart from each other', async () => {
        const orders = assetScope(await harness.newAsset());
        const users = assetScope(await harness.newAsset());
        await backend.set(task, 'watermark', 'task');
        await backend.set(orders, 'watermark', 'orders');
        await backend.set(users, 'watermark', 'users');
        expect((await backend.get(task, 'watermark'))?.value).toBe('task');
        expect((await backend.get(orders, 'watermark'))?.value).toBe('orders');
        expect((await backend.get(users, 'watermark'))?.value).toBe('users');
      });

      it('refuses writes to a run that does not exist, and reads find nothing', async () => {
        const ghost = taskScope({ dagId: run.dagId, runId: 'no-such-run', taskId: 'load' });
        await expect(backend.set(ghost, 'k', 1)).rejects.toMatchObject({ code: 'dag_run_not_found' });
        expect(await backend.get(ghost, 'k')).toBeUndefined();
        expect(await backend.list(ghost)).toEqual({ entries: [], total: 0 });
        expect(await backend.delete(ghost, 'k')).toBe(false);
      });

      it('refuses writes to an asset that does not exist', async () => {
        await expect(backend.set(assetScope(987_654_321), 'k', 1)).rejects.toMatchObject({ code: 'asset_not_found' });
      });

      it('deletes task state with its DAG run and keeps other runs', async () => {
        const other = await harness.newRun();
        const otherTask = taskScope({ ...other, taskId: 'load' });
        await backend.set(task, 'k', 1);
        await backend.set(otherTask, 'k', 2);
        await harness.deleteRun(run);
        expect(await backend.get(task, 'k')).toBeUndefined();
        expect((await backend.get(otherTask, 'k'))?.value).toBe(2);
      });
    });

    describe('expiry (SPEC §6)', () => {
      it('hides a key at once when its expiry passes', async () => {
        await backend.set(task, 'k', 1, { expiresAt: clock.now() + HOUR });
        expect(await backend.get(task, 'k')).toMatchObject({ expiresAt: clock.now() + HOUR });
        clock.advance(HOUR);
        expect(await backend.get(task, 'k')).toBeUndefined();
      });

      it('hides expired keys from listing and its total', async () => {
        await backend.set(task, 'short', 1, { expiresAt: clock.now() + 1_000 });
        await backend.set(task, 'long', 2, { expiresAt: clock.now() + HOUR });
        await backend.set(task, 'forever', 3, { expiresAt: null });
        clock.advance(2_000);
        expect(await backend.list(task)).toMatchObject({ total: 2 });
        expect(await keysOf(task)).toEqual(['forever', 'long']);
      });

      it('treats an expired key as absent for compare-and-set and overwrites it with a later version', async () => {
        await backend.set(task, 'k', 'old', { expiresAt: clock.now() + 1_000 });
        clock.advance(1_000);
        const entry = await backend.set(task, 'k', 'new', { ifVersion: 0 });
        expect(entry.value).toBe('new');
        expect(entry.version).toBe(2);
        expect(entry.expiresAt).toBeNull();
      });

      it('does not report an expired key as deleted', async () => {
        await backend.set(task, 'k', 1, { expiresAt: clock.now() + 1_000 });
        clock.advance(1_000);
        expect(await backend.delete(task, 'k')).toBe(false);
      });

      it('refuses an expiry for asset state, which never expires', async () => {
        const asset = assetScope(await harness.newAsset());
        await expect(backend.set(asset, 'k', 1, { expiresAt: clock.now() + HOUR })).rejects.toMatchObject({
          code: 'invalid_state_option',
        });
        expect(await backend.get(asset, 'k')).toBeUndefined();
      });

      it('refuses an expiry that is not a time', async () => {
        await expect(backend.set(task, 'k', 1, { expiresAt: Number.NaN })).rejects.toMatchObject({
          code: 'invalid_state_option',
        });
      });
    });

    describe('listing', () => {
      it('lists keys in code-point order with values and versions', async () => {
        for (const key of ['b', 'a', 'B', 'é', '𝄞', '\uffef', 'a/b']) await backend.set(task, key, key);
        await backend.set(task, 'a', 'again');
        const page = await backend.list(task);
        expect(page.entries.map((entry) => entry.key)).toEqual(['B', 'a', 'a/b', 'b', 'é', '\uffef', '𝄞']);
        expect(page.entries[1]).toMatchObject({ key: 'a', value: 'again', version: 2 });
        expect(page.total).toBe(7);
      });

      it('pages with limit and offset and reports the total', async () => {
        for (let i = 0; i < 12; i++) await backend.set(task, `key-${String(i).padStart(2, '0')}`, i);
        const page = await backend.list(task, { limit: 5, offset: 10 });
        expect(page.total).toBe(12);
        expect(page.entries.map((entry) => entry.value)).toEqual([10, 11]);
      });

      it('filters by key prefix', async () => {
        for (const key of ['files/a', 'files/b', 'filesystem', 'other']) await backend.set(task, key, 1);
        const page = await backend.list(task, { prefix: 'files/' });
        expect(page.entries.map((entry) => entry.key)).toEqual(['files/a', 'files/b']);
        expect(page.total).toBe(2);
      });

      it('refuses a bad limit or offset', async () => {
        await expect(backend.list(task, { limit: 0 })).rejects.toMatchObject({ code: 'invalid_state_option' });
        await expect(backend.list(task, { offset: -1 })).rejects.toMatchObject({ code: 'invalid_state_option' });
      });
    });

    describe('monotonic advance (SPEC §7)', () => {
      it('writes the candidate when the key is absent', async () => {
        expect(await backend.advance(task, 'offset', 10)).toEqual({ value: 10, version: 1, advanced: true });
      });

      it('moves numbers only forward and returns the value now stored', async () => {
        await backend.advance(task, 'offset', 10);
        expect(await backend.advance(task, 'offset', 5)).toEqual({ value: 10, version: 1, advanced: false });
        expect(await backend.advance(task, 'offset', 10)).toEqual({ value: 10, version: 1, advanced: false });
        expect(await backend.advance(task, 'offset', 10.5)).toEqual({ value: 10.5, version: 2, advanced: true });
      });

      it('orders strings by code point, so ISO-8601 timestamps advance in time order', async () => {
        await backend.advance(task, 'wm', '2026-01-02T00:00:00Z');
        expect((await backend.advance(task, 'wm', '2026-01-01T23:59:59Z')).advanced).toBe(false);
        expect((await backend.advance(task, 'wm', '2026-01-10T00:00:00Z')).advanced).toBe(true);
        await backend.advance(task, 'text', '\uffef');
        expect((await backend.advance(task, 'text', '𝄞')).advanced).toBe(true);
      });

      it('refuses to compare a number with a string, and a candidate that is neither', async () => {
        await backend.advance(task, 'wm', 5);
        await expect(backend.advance(task, 'wm', '6')).rejects.toMatchObject({ code: 'advance_type_mismatch' });
        await expect(backend.advance(task, 'other', { at: 1 })).rejects.toMatchObject({ code: 'invalid_state_value' });
        expect(await backend.get(task, 'other')).toBeUndefined();
      });

      it('leaves the maximum after 20 concurrent advances with random candidates', async () => {
        const candidates = Array.from({ length: 20 }, () => Math.floor(Math.random() * 1_000_000));
        await Promise.all(candidates.map((candidate) => backend.advance(task, 'offset', candidate)));
        expect((await backend.get(task, 'offset'))?.value).toBe(Math.max(...candidates));
      });

      it('leaves the latest timestamp on an asset watermark after 20 concurrent mapped writers', async () => {
        const asset = assetScope(await harness.newAsset());
        const stamps = Array.from({ length: 20 }, (_, i) =>
          new Date(Date.UTC(2026, 0, 1 + ((i * 7) % 20))).toISOString(),
        );
        await Promise.all(
          stamps.map((stamp, mapIndex) =>
            backend.advance(asset, 'watermark', stamp, { writer: { ...TASK_WRITER, mapIndex } }),
          ),
        );
        expect((await backend.get(asset, 'watermark'))?.value).toBe([...stamps].sort().at(-1));
      });

      it('keeps the expiry of the key it advances', async () => {
        await backend.set(task, 'offset', 1, { expiresAt: clock.now() + HOUR });
        await backend.advance(task, 'offset', 2);
        expect(await backend.get(task, 'offset')).toMatchObject({ value: 2, expiresAt: clock.now() + HOUR });
      });
    });

    describe('history (SPEC §8)', () => {
      it('keeps exactly the configured depth of versions, newest first, with writer and time', async () => {
        for (let i = 1; i <= HISTORY_DEPTH + 3; i++) {
          clock.advance(1_000);
          await backend.set(task, 'k', i, { writer: { ...TASK_WRITER, tryNumber: i } });
        }
        const history = await backend.history(task, 'k');
        expect(history.map((entry) => entry.version)).toEqual([8, 7, 6, 5, 4]);
        expect(history[0]).toMatchObject({
          operation: 'set',
          value: 8,
          writtenAt: clock.now(),
          writtenBy: { kind: 'task', tryNumber: 8 },
        });
      });

      it('records a delete as a version without a value', async () => {
        await backend.set(task, 'k', 'a');
        await backend.delete(task, 'k', { writer: { kind: 'api', user: 'alice' } });
        expect(await backend.history(task, 'k')).toMatchObject([
          { version: 2, operation: 'delete', value: null, writtenBy: { kind: 'api', user: 'alice' } },
          { version: 1, operation: 'set', value: 'a' },
        ]);
      });

      it('records clears, including a clear across all map indices', async () => {
        await backend.set(mapped(0), 'k', 'zero');
        await backend.set(mapped(1), 'k', 'one');
        await backend.clear(mapped(0), { allMapIndices: true });
        expect((await backend.history(mapped(1), 'k'))[0]).toMatchObject({ operation: 'delete', version: 2 });
        expect((await backend.history(mapped(0), 'k'))[0]).toMatchObject({ operation: 'delete', version: 2 });
      });

      it('keeps no history when the depth is 0', async () => {
        const noHistory = harness.withSettings({ historyDepth: 0 });
        await noHistory.set(task, 'k', 1);
        await noHistory.set(task, 'k', 2);
        expect(await noHistory.history(task, 'k')).toEqual([]);
        expect((await noHistory.get(task, 'k'))?.version).toBe(2);
      });
    });

    describe('writer attribution (SPEC §4)', () => {
      it('records the writer of asset state: a task with its try number, or an API user', async () => {
        const asset = assetScope(await harness.newAsset());
        await backend.set(asset, 'watermark', 1, { writer: TASK_WRITER });
        expect((await backend.get(asset, 'watermark'))?.updatedBy).toEqual(TASK_WRITER);
        await backend.set(asset, 'watermark', 2, { writer: { kind: 'api', user: 'alice' } });
        const [entry] = (await backend.list(asset)).entries;
        expect(entry?.updatedBy).toEqual({ kind: 'api', user: 'alice' });
      });
    });

    describe('DAG state (SPEC §17)', () => {
      it('is shared across runs, apart from task state, asset state and other DAGs', async () => {
        const dag = dagScope(run.dagId);
        const other = dagScope(await harness.newDag());
        await backend.set(dag, 'cursor', 1, { writer: TASK_WRITER });
        await backend.set(other, 'cursor', 2);
        await backend.set(task, 'cursor', 3);
        const nextRun = await harness.newRun();
        expect(nextRun.dagId).toBe(run.dagId);
        expect(await backend.get(dagScope(nextRun.dagId), 'cursor')).toMatchObject({
          value: 1,
          version: 1,
          expiresAt: null,
          updatedBy: TASK_WRITER,
        });
        expect((await backend.get(other, 'cursor'))?.value).toBe(2);
        expect((await backend.get(task, 'cursor'))?.value).toBe(3);
        expect(await keysOf(dag)).toEqual(['cursor']);
      });

      it('versions, compare-and-set, advance, delete, clear and history', async () => {
        const dag = dagScope(run.dagId);
        await backend.set(dag, 'k', 'a', { ifVersion: 0 });
        await expect(backend.set(dag, 'k', 'b', { ifVersion: 5 })).rejects.toMatchObject({ code: 'state_conflict' });
        await backend.set(dag, 'k', 'b', { ifVersion: 1 });
        expect(await backend.advance(dag, 'hw', 10)).toEqual({ value: 10, version: 1, advanced: true });
        expect(await backend.advance(dag, 'hw', 9)).toEqual({ value: 10, version: 1, advanced: false });
        expect(await backend.delete(dag, 'k', { writer: { kind: 'api', user: 'alice' } })).toBe(true);
        expect(await backend.history(dag, 'k')).toMatchObject([
          { version: 3, operation: 'delete', value: null, writtenBy: { kind: 'api', user: 'alice' } },
          { version: 2, operation: 'set', value: 'b' },
          { version: 1, operation: 'set', value: 'a' },
        ]);
        expect(await backend.clear(dag)).toBe(1);
        expect(await keysOf(dag)).toEqual([]);
        await expect(backend.clear(dag, { allMapIndices: true })).rejects.toMatchObject({
          code: 'invalid_state_option',
        });
      });

      it('never expires unless written with an expiry; cleanup removes it once expired', async () => {
        const dag = dagScope(run.dagId);
        await backend.set(dag, 'forever', 1);
        await backend.set(dag, 'short', 2, { expiresAt: clock.now() + 1_000 });
        clock.advance(2_000);
        expect(await keysOf(dag)).toEqual(['forever']);
        expect(await backend.cleanup()).toMatchObject({ expiredDagState: 1, expiredTaskState: 0 });
        expect(await backend.get(dag, 'forever')).toMatchObject({ value: 1, expiresAt: null });
      });

      it('refuses writes to a DAG that does not exist, and goes with its DAG', async () => {
        await expect(backend.set(dagScope('no-such-dag'), 'k', 1)).rejects.toMatchObject({ code: 'dag_not_found' });
        expect(await backend.get(dagScope('no-such-dag'), 'k')).toBeUndefined();
        const doomed = await harness.newDag();
        const kept = await harness.newDag();
        await backend.set(dagScope(doomed), 'k', 1);
        await backend.set(dagScope(kept), 'k', 2);
        await harness.deleteDag(doomed);
        expect(await backend.get(dagScope(doomed), 'k')).toBeUndefined();
        expect(await backend.history(dagScope(doomed), 'k')).toEqual([]);
        expect((await backend.get(dagScope(kept), 'k'))?.value).toBe(2);
      });
    });

    describe('item-keyed task state (SPEC §17)', () => {
      const item = (itemKey: string, mapIndex = 0) => taskScope({ ...run, taskId: 'load', mapIndex, itemKey });

      it('belongs to the item whatever the map index, apart from positional state', async () => {
        await backend.set(item('order-a', 0), 'job_id', 'job-a');
        await backend.set(item('order-b', 1), 'job_id', 'job-b');
        await backend.set(mapped(0), 'job_id', 'positional');
        // Expanded again in another order: each item finds its own job, by key, not by position.
        expect((await backend.get(item('order-a', 1), 'job_id'))?.value).toBe('job-a');
        expect((await backend.get(item('order-b', 0), 'job_id'))?.value).toBe('job-b');
        expect((await backend.get(mapped(0), 'job_id'))?.value).toBe('positional');
        expect(await keysOf(item('order-a'))).toEqual(['job_id']);
        expect(await keysOf(mapped(1))).toEqual([]);
      });

      it('has its own versions and history; clearing one item leaves the others', async () => {
        await backend.set(item('a'), 'k', 1);
        await backend.set(item('a'), 'k', 2);
        await backend.set(item('b'), 'k', 1);
        await expect(backend.set(item('a'), 'k', 3, { ifVersion: 1 })).rejects.toMatchObject({
          code: 'state_conflict',
        });
        expect((await backend.history(item('a'), 'k')).map((entry) => entry.value)).toEqual([2, 1]);
        expect(await backend.clear(item('a'))).toBe(1);
        expect(await backend.get(item('a'), 'k')).toBeUndefined();
        expect((await backend.get(item('b'), 'k'))?.value).toBe(1);
        expect((await backend.history(item('a'), 'k'))[0]).toMatchObject({ operation: 'delete', version: 3 });
      });

      it('is cleared, with history, by a clear of all map indices of the task', async () => {
        await backend.set(item('a'), 'k', 'a');
        await backend.set(mapped(1), 'k', 'one');
        expect(await backend.clear(mapped(1), { allMapIndices: true })).toBe(2);
        expect(await backend.get(item('a'), 'k')).toBeUndefined();
        expect((await backend.history(item('a'), 'k'))[0]).toMatchObject({ operation: 'delete', version: 2 });
        expect((await backend.history(mapped(1), 'k'))[0]).toMatchObject({ operation: 'delete', version: 2 });
      });

      it('expires like task state and refuses an item key that breaks the key rules', async () => {
        await backend.set(item('a'), 'k', 1, { expiresAt: clock.now() + 1_000 });
        clock.advance(2_000);
        expect(await backend.get(item('a'), 'k')).toBeUndefined();
        expect((await backend.cleanup()).expiredTaskState).toBe(1);
        await expect(backend.set(item(''), 'k', 1)).rejects.toMatchObject({
          code: 'invalid_state_key',
          message: expect.stringContaining('item key'),
        });
        await expect(backend.set(item('x'.repeat(513)), 'k', 1)).rejects.toMatchObject({ code: 'invalid_state_key' });
      });
    });

    describe('cleanup (SPEC §6)', () => {
      it('removes expired task state only and reports it', async () => {
        await backend.set(task, 'expired', 1, { expiresAt: clock.now() + 1_000 });
        await backend.set(task, 'live', 2, { expiresAt: clock.now() + HOUR });
        await backend.set(task, 'forever', 3);
        clock.advance(2_000);
        const report = await backend.cleanup({ batchSize: 1 });
        expect(report).toMatchObject({ dryRun: false, expiredTaskState: 1 });
        expect(await keysOf(task)).toEqual(['forever', 'live']);
      });

      it('changes nothing on a dry run', async () => {
        await backend.set(task, 'expired', 1, { expiresAt: clock.now() + 1_000 });
        clock.advance(2_000);
        expect(await backend.cleanup({ dryRun: true })).toMatchObject({ dryRun: true, expiredTaskState: 1 });
        expect((await backend.cleanup()).expiredTaskState).toBe(1);
      });

      it('removes the state of assets no DAG declares any more and keeps active ones', async () => {
        const gone = await harness.newAsset();
        const kept = await harness.newAsset();
        await backend.set(assetScope(gone), 'watermark', 1);
        await backend.set(assetScope(kept), 'watermark', 2);
        await harness.deactivateAsset(gone);
        expect((await backend.cleanup()).orphanedAssetState).toBe(1);
        expect(await backend.get(assetScope(gone), 'watermark')).toBeUndefined();
        expect((await backend.get(assetScope(kept), 'watermark'))?.value).toBe(2);
      });

      it('trims history beyond a reduced depth', async () => {
        for (let i = 1; i <= HISTORY_DEPTH; i++) await backend.set(task, 'k', i);
        const shallow = harness.withSettings({ historyDepth: 2 });
        expect((await shallow.cleanup()).trimmedHistory).toBe(HISTORY_DEPTH - 2);
        expect((await backend.history(task, 'k')).map((entry) => entry.version)).toEqual([5, 4]);
      });
    });
  });
}
