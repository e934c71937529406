import { StaleAttemptError, StateConflictError, type TaskScope, taskScope } from '@tidemark/core';
import { beforeEach, describe, expect, it } from 'vitest';
import type { MetadataDatabase } from '../open-database.ts';
import { eachDialect } from '../testing/describe-each-dialect.ts';
import { holdTiTransition } from '../testing/held-ti-transition.ts';
import { ManualClock } from '../testing/manual-clock.ts';
import { type QueryCounter, queryCounter } from '../testing/query-counter.ts';
import { seedDagRun, seedRunningAttempt } from '../testing/seed-task-instance.ts';
import { useTestDatabase } from '../testing/use-test-database.ts';
import { waitForLockWaiter } from '../testing/wait-for-lock-waiter.ts';
import { MetastoreStateBackend } from './metastore-state-backend.ts';

const RUN = { dagId: 'rewrites', runId: 'manual__1' };
const DEPTH = 3;
const WRITER = {
  kind: 'task' as const,
  dagId: RUN.dagId,
  runId: RUN.runId,
  taskId: 'load',
  mapIndex: -1,
  tryNumber: 2,
};

/**
 * An attempt writing a key of its own task state again: one statement on PostgreSQL (see
 * one-statement-set.ts), the transaction elsewhere; the outcome must be the same on both.
 */
describe.each(eachDialect())('an attempt rewriting its own task state on %s', (dialect) => {
  const test = useTestDatabase(dialect);
  let database: MetadataDatabase;
  let clock: ManualClock;
  let backend: MetastoreStateBackend;
  let tiId: string;
  let scope: TaskScope;
  let queries: QueryCounter;

  beforeEach(async () => {
    clock = new ManualClock(1_000_000);
    queries = queryCounter();
    database = { ...test.database, db: test.database.db.withPlugin(queries.plugin) };
    backend = new MetastoreStateBackend(database, {
      maxValueBytes: 65_536,
      historyDepth: DEPTH,
      clock: () => clock.now(),
    });
    const run = await seedDagRun(database.db, { dagId: RUN.dagId }, { runId: RUN.runId });
    tiId = await seedRunningAttempt(database.db, run, 'load');
    scope = taskScope({ ...RUN, taskId: 'load', mapIndex: -1 });
  });

  const fence = () => ({ tiId, tryNumber: 2 });
  const history = async () => (await backend.history(scope, 'cursor')).map((entry) => [entry.version, entry.value]);

  it('stores the next version, its expiry and writer, and keeps history at its depth', async () => {
    await backend.set(scope, 'cursor', 0, { fence: fence(), writer: WRITER });
    for (let page = 1; page <= 5; page++) {
      clock.advance(1_000);
      const entry = await backend.set(scope, 'cursor', page, {
        fence: fence(),
        writer: WRITER,
        expiresAt: clock.now() + 60_000,
      });
      expect(entry).toEqual({
        key: 'cursor',
        value: page,
        version: page + 1,
        updatedAt: clock.now(),
        expiresAt: clock.now() + 60_000,
        updatedBy: WRITER,
      });
    }
    expect(await backend.get(scope, 'cursor')).toMatchObject({ value: 5, version: 6, updatedBy: WRITER });
    expect(await history()).toEqual([
      [6, 5],
      [5, 4],
      [4, 3],
    ]);
  });

  it('keeps exactly the depth in history after every write', async () => {
    const historyRows = async () =>
      (await database.db.selectFrom('state_history').select('version').where('key', '=', 'cursor').execute()).length;
    for (let version = 1; version <= 3 * DEPTH + 1; version++) {
      await backend.set(scope, 'cursor', version, { fence: fence() });
      expect(await historyRows(), `rows after version ${version}`).toBe(Math.min(version, DEPTH));
    }
    expect((await history()).map(([version]) => version)).toEqual([10, 9, 8]);
    expect((await backend.cleanup()).trimmedHistory).toBe(0);
  });

  it.runIf(dialect === 'postgres')('costs one query on PostgreSQL once the key exists', async () => {
    await backend.set(scope, 'cursor', 0, { fence: fence() });
    queries.reset();
    await backend.set(scope, 'cursor', 1, { fence: fence() });
    expect(queries.count).toBe(1);
  });

  it('loses no write of 20 concurrent rewrites: versions 2 to 21, each value once in history', async () => {
    await backend.set(scope, 'cursor', 0, { fence: fence() });
    const entries = await Promise.all(
      Array.from({ length: 20 }, (_, index) => backend.set(scope, 'cursor', index + 1, { fence: fence() })),
    );
    expect(entries.map((entry) => entry.version).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 20 }, (_, index) => index + 2),
    );
    const last = entries.find((entry) => entry.version === 21);
    expect(await backend.get(scope, 'cursor')).toMatchObject({ version: 21, value: last?.value });
    expect((await history()).map(([version]) => version)).toEqual([21, 20, 19]);
  });

  it('compare-and-set on a rewrite: the matching version wins, another is refused with the current one', async () => {
    await backend.set(scope, 'cursor', 0, { fence: fence() });
    await expect(backend.set(scope, 'cursor', 1, { fence: fence(), ifVersion: 1 })).resolves.toMatchObject({
      version: 2,
    });
    await expect(backend.set(scope, 'cursor', 9, { fence: fence(), ifVersion: 1 })).rejects.toThrow(
      new StateConflictError('cursor', 1, 2),
    );
    expect(await backend.get(scope, 'cursor')).toMatchObject({ value: 1, version: 2 });
  });

  it('an expired key counts as absent for compare-and-set: its last version is refused, 0 is accepted', async () => {
    await backend.set(scope, 'cursor', 0, { fence: fence(), expiresAt: clock.now() + 10 });
    clock.advance(11);
    await expect(backend.set(scope, 'cursor', 1, { fence: fence(), ifVersion: 1 })).rejects.toThrow(StateConflictError);
    await expect(backend.set(scope, 'cursor', 1, { fence: fence(), ifVersion: 0 })).resolves.toMatchObject({
      version: 2,
      expiresAt: null,
    });
  });

  it('refuses an older try rewriting a key, and changes nothing', async () => {
    await backend.set(scope, 'cursor', 0, { fence: fence() });
    await expect(backend.set(scope, 'cursor', 1, { fence: { tiId, tryNumber: 1 } })).rejects.toThrow(StaleAttemptError);
    expect(await backend.get(scope, 'cursor')).toMatchObject({ value: 0, version: 1 });
    expect(await history()).toEqual([[1, 0]]);
  });

  it('writes the key after it was deleted with the version after the tombstone', async () => {
    await backend.set(scope, 'cursor', 0, { fence: fence() });
    await backend.delete(scope, 'cursor', { fence: fence() });
    await backend.set(scope, 'cursor', 1, { fence: fence() });
    expect(await backend.set(scope, 'cursor', 2, { fence: fence() })).toMatchObject({ version: 4 });
  });

  // SQLite serializes write transactions, so only PostgreSQL can race a rewrite against a transition.
  it.runIf(dialect === 'postgres')(
    'a rewrite racing the TI’s transition waits for it and is refused (the fence is in the statement)',
    async () => {
      await backend.set(scope, 'cursor', 0, { fence: fence() });
      const transition = await holdTiTransition(test.database.db, tiId, 'up_for_retry');
      const rewrite = backend.set(scope, 'cursor', 1, { fence: fence() }).then(
        () => 'written',
        (error: unknown) => (error instanceof StaleAttemptError ? 'stale' : String(error)),
      );
      await waitForLockWaiter(test.database.db, transition.holderPid);
      await transition.commit();
      expect(await rewrite).toBe('stale');
      expect(await backend.get(scope, 'cursor')).toMatchObject({ value: 0, version: 1 });
    },
  );
});

/**
 * Rewrites of several attempts that arrive together: one statement for all of them on PostgreSQL
 * (TaskRewriteBatcher), one shared transaction on SQLite; each write keeps its own outcome.
 */
describe.each(eachDialect())('several attempts rewriting their own task state at once on %s', (dialect) => {
  const test = useTestDatabase(dialect);
  const TASKS = ['a', 'b', 'c', 'd'] as const;
  let database: MetadataDatabase;
  let backend: MetastoreStateBackend;
  let queries: QueryCounter;
  let tiIds: Record<string, string>;

  beforeEach(async () => {
    queries = queryCounter();
    database = { ...test.database, db: test.database.db.withPlugin(queries.plugin) };
    backend = new MetastoreStateBackend(database, { maxValueBytes: 65_536, historyDepth: DEPTH });
    const run = await seedDagRun(database.db, { dagId: RUN.dagId }, { runId: RUN.runId });
    tiIds = {};
    for (const task of TASKS) tiIds[task] = await seedRunningAttempt(database.db, run, task);
  });

  const scopeOf = (task: string) => taskScope({ ...RUN, taskId: task, mapIndex: -1 });
  const fenceOf = (task: string, tryNumber = 2) => ({ tiId: tiIds[task] as string, tryNumber });
  const versionsInHistory = async (task: string) =>
    (await backend.history(scopeOf(task), 'cursor')).map((entry) => entry.version);
  /** Writes `cursor` of each task `times[task]` times, one after another. */
  const writeEach = async (times: Record<string, number>) => {
    for (const [task, count] of Object.entries(times)) {
      for (let index = 0; index < count; index++) {
        await backend.set(scopeOf(task), 'cursor', `${task}${index}`, { fence: fenceOf(task) });
      }
    }
  };

  it('writes each with its own next version and history', async () => {
    await writeEach({ a: 1, b: 2, c: 3, d: 4 });
    const entries = await Promise.all(
      TASKS.map((task) => backend.set(scopeOf(task), 'cursor', `${task}-new`, { fence: fenceOf(task) })),
    );
    expect(entries.map((entry) => [entry.key, entry.value, entry.version])).toEqual([
      ['cursor', 'a-new', 2],
      ['cursor', 'b-new', 3],
      ['cursor', 'c-new', 4],
      ['cursor', 'd-new', 5],
    ]);
    for (const [index, task] of TASKS.entries()) {
      expect(await backend.get(scopeOf(task), 'cursor')).toMatchObject({ value: `${task}-new`, version: index + 2 });
    }
    expect(await versionsInHistory('a')).toEqual([2, 1]);
    expect(await versionsInHistory('d')).toEqual([5, 4, 3]);
  });

  it('carries each value and writer through unchanged: quotes, backslashes, braces, commas, "NULL", NUL, non-ASCII', async () => {
    await writeEach({ a: 1, b: 1, c: 1, d: 1 });
    const awkward: readonly string[] = ['say "hi"\\n', '{a,b}', 'NULL', 'ü 😀 NUL \u0000'];
    const writer = { kind: 'task' as const, ...RUN, taskId: 'a "quoted" task', mapIndex: -1, tryNumber: 2 };
    await Promise.all(
      TASKS.map((task, index) =>
        backend.set(
          scopeOf(task),
          'cursor',
          { text: awkward[index] ?? '', list: [null, 1] },
          { fence: fenceOf(task), writer },
        ),
      ),
    );
    for (const [index, task] of TASKS.entries()) {
      expect(await backend.get(scopeOf(task), 'cursor')).toMatchObject({
        value: { text: awkward[index] ?? '', list: [null, 1] },
        version: 2,
        updatedBy: writer,
      });
      const [newest] = await backend.history(scopeOf(task), 'cursor');
      expect(newest?.value).toEqual({ text: awkward[index] ?? '', list: [null, 1] });
    }
  });

  it.runIf(dialect === 'postgres')('costs one query on PostgreSQL for all of them', async () => {
    await writeEach({ a: 1, b: 1, c: 1, d: 1 });
    queries.reset();
    await Promise.all(TASKS.map((task) => backend.set(scopeOf(task), 'cursor', 'again', { fence: fenceOf(task) })));
    expect(queries.count).toBe(1);
  });

  it('refuses a stale attempt and a compare-and-set miss without failing the writes that arrived with them', async () => {
    await writeEach({ a: 1, b: 2, d: 1 });
    const [stale, conflict, first, plain] = await Promise.allSettled([
      backend.set(scopeOf('a'), 'cursor', 'from try 1', { fence: fenceOf('a', 1) }),
      backend.set(scopeOf('b'), 'cursor', 'if at 1', { fence: fenceOf('b'), ifVersion: 1 }),
      backend.set(scopeOf('c'), 'cursor', 'first', { fence: fenceOf('c') }),
      backend.set(scopeOf('d'), 'cursor', 'second', { fence: fenceOf('d') }),
    ]);
    expect(stale).toMatchObject({ status: 'rejected', reason: expect.any(StaleAttemptError) });
    expect(conflict).toMatchObject({ status: 'rejected', reason: new StateConflictError('cursor', 1, 2) });
    expect(first).toMatchObject({ status: 'fulfilled', value: { value: 'first', version: 1 } });
    expect(plain).toMatchObject({ status: 'fulfilled', value: { value: 'second', version: 2 } });
    expect(await backend.get(scopeOf('a'), 'cursor')).toMatchObject({ value: 'a0', version: 1 });
    expect(await backend.get(scopeOf('b'), 'cursor')).toMatchObject({ value: 'b1', version: 2 });
    expect(await versionsInHistory('a')).toEqual([1]);
    expect(await versionsInHistory('b')).toEqual([2, 1]);
  });

  it('loses no write when the attempts write their keys over and over at once: versions gapless per key', async () => {
    const KEYS = ['k0', 'k1', 'k2'];
    for (const task of TASKS) {
      for (const key of KEYS) await backend.set(scopeOf(task), key, 0, { fence: fenceOf(task) });
    }
    const ROUNDS = 6;
    const writes = [];
    for (let round = 1; round <= ROUNDS; round++) {
      // Each round writes every key of every task, in an order that differs from round to round.
      const order = round % 2 === 0 ? [...KEYS].reverse() : KEYS;
      for (const task of round % 3 === 0 ? [...TASKS].reverse() : TASKS) {
        for (const key of order) writes.push(backend.set(scopeOf(task), key, round, { fence: fenceOf(task) }));
      }
    }
    const entries = await Promise.all(writes);
    const versionsOf = new Map<string, number[]>();
    for (const entry of entries) versionsOf.set(entry.key, [...(versionsOf.get(entry.key) ?? []), entry.version]);
    for (const key of KEYS) {
      const expected = TASKS.flatMap(() => Array.from({ length: ROUNDS }, (_, index) => index + 2));
      expect(versionsOf.get(key)?.sort((a, b) => a - b)).toEqual(expected.sort((a, b) => a - b));
    }
    for (const task of TASKS) {
      for (const key of KEYS) {
        expect((await backend.get(scopeOf(task), key))?.version).toBe(ROUNDS + 1);
        expect((await backend.history(scopeOf(task), key)).map((entry) => entry.version)).toEqual([7, 6, 5]);
      }
    }
  });

  it.runIf(dialect === 'postgres')(
    'a statement waiting on one TI’s transition refuses that attempt and writes the others',
    async () => {
      await writeEach({ a: 1, b: 1 });
      const transition = await holdTiTransition(test.database.db, tiIds.a as string, 'up_for_retry');
      const outcome = (task: string) =>
        backend.set(scopeOf(task), 'cursor', 'racing', { fence: fenceOf(task) }).then(
          (entry) => entry.version,
          (error: unknown) => (error instanceof StaleAttemptError ? 'stale' : String(error)),
        );
      const racing = Promise.all([outcome('a'), outcome('b')]);
      await waitForLockWaiter(test.database.db, transition.holderPid);
      await transition.commit();
      expect(await racing).toEqual(['stale', 2]);
      expect(await backend.get(scopeOf('a'), 'cursor')).toMatchObject({ value: 'a0', version: 1 });
    },
  );
});
