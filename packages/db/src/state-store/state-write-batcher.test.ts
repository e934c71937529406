import {
  StaleAttemptError,
  StateConflictError,
  type StateEntry,
  type TaskScope,
  taskScope,
  ValueTooLargeError,
} from '@tidemark/core';
import { sql } from 'kysely';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../open-database.ts';
import { eachDialect } from '../testing/describe-each-dialect.ts';
import { seedDagRun, seedRunningAttempt } from '../testing/seed-task-instance.ts';
import { useTestDatabase } from '../testing/use-test-database.ts';
import { MetastoreStateBackend } from './metastore-state-backend.ts';
import { StateWriteBatcher } from './state-write-batcher.ts';

const RUN = { dagId: 'grouped', runId: 'manual__1' };
const LIMIT_BYTES = 1_000;

function settle<T>(promises: readonly Promise<T>[]) {
  return Promise.allSettled(promises);
}

function fulfilled<T>(results: readonly PromiseSettledResult<T>[]): T[] {
  return results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
}

function refusedWith(results: readonly PromiseSettledResult<unknown>[], type: new (...args: never[]) => Error) {
  return results.filter((result) => result.status === 'rejected' && result.reason instanceof type).length;
}

describe.each(eachDialect())('group commit of state writes on %s', (dialect) => {
  const test = useTestDatabase(dialect);
  let tiId: string;
  let scope: TaskScope;

  beforeEach(async () => {
    const run = await seedDagRun(test.database.db, { dagId: RUN.dagId }, { runId: RUN.runId });
    tiId = await seedRunningAttempt(test.database.db, run, 'load');
    scope = taskScope({ ...RUN, taskId: 'load', mapIndex: -1 });
  });

  it('gives each of many concurrent writes exactly its own outcome, as if they ran one by one', async () => {
    const backend = new MetastoreStateBackend(
      test.database,
      { maxValueBytes: LIMIT_BYTES, historyDepth: 100 },
      undefined,
      { writeBatchSize: 8 },
    );
    const fence = { tiId, tryNumber: 2 };
    const staleFence = { tiId, tryNumber: 1 };
    await backend.set(scope, 'c', 'c-0', { fence });

    // All issued in the same tick: they share transactions (batches of at most 8).
    const plain = settle(Array.from({ length: 12 }, (_, i) => backend.set(scope, 'a', `a-${i}`, { fence })));
    const absentOnly = settle(
      Array.from({ length: 4 }, (_, i) => backend.set(scope, 'b', `b-${i}`, { fence, ifVersion: 0 })),
    );
    const fromOne = settle(
      Array.from({ length: 3 }, (_, i) => backend.set(scope, 'c', `c-${i + 1}`, { fence, ifVersion: 1 })),
    );
    const oversize = settle(
      Array.from({ length: 2 }, () => backend.set(scope, 'big', 'x'.repeat(LIMIT_BYTES), { fence })),
    );
    const stale = settle(
      Array.from({ length: 3 }, (_, i) => backend.set(scope, `stale-${i}`, 'zombie', { fence: staleFence })),
    );
    const advances = settle([5, 3, 9, 7].map((value) => backend.advance(scope, 'cursor', value, { fence })));
    const [staleAdvance, wrongDelete, absentDelete] = await settle<unknown>([
      backend.advance(scope, 'cursor', 100, { fence: staleFence }),
      backend.delete(scope, 'c', { fence, ifVersion: 99 }),
      backend.delete(scope, 'never', { fence }),
    ]);

    const plainResults = await plain;
    const absentResults = await absentOnly;
    const fromOneResults = await fromOne;
    const oversizeResults = await oversize;
    const staleResults = await stale;
    const advanceResults = await advances;
    expect(refusedWith([staleAdvance as PromiseSettledResult<unknown>], StaleAttemptError)).toBe(1);
    expect(refusedWith([wrongDelete as PromiseSettledResult<unknown>], StateConflictError)).toBe(1);
    expect(absentDelete).toEqual({ status: 'fulfilled', value: false });

    // Unconditional sets: all written, versions 1…12 without gaps, the last version is the stored value.
    const written = fulfilled(plainResults);
    expect(written.map((entry) => entry.version).sort((x, y) => x - y)).toEqual(range(1, 12));
    const last = written.find((entry) => entry.version === 12) as StateEntry;
    expect((await backend.get(scope, 'a'))?.value).toBe(last.value);
    // History holds each write under its own version.
    const history = await backend.history(scope, 'a');
    expect(history.map((entry) => [entry.version, entry.value])).toEqual(
      [...written].sort((x, y) => y.version - x.version).map((entry) => [entry.version, entry.value]),
    );

    // Compare-and-set: one winner each, the others refused with 412 and nothing written.
    expect(fulfilled(absentResults).map((entry) => entry.version)).toEqual([1]);
    expect(refusedWith(absentResults, StateConflictError)).toBe(3);
    expect((await backend.get(scope, 'b'))?.value).toBe(fulfilled(absentResults)[0]?.value);
    expect(fulfilled(fromOneResults).map((entry) => entry.version)).toEqual([2]);
    expect(refusedWith(fromOneResults, StateConflictError)).toBe(2);
    expect((await backend.history(scope, 'c')).map((entry) => entry.version)).toEqual([2, 1]);

    // Oversize values (413) and fenced stale attempts (409) fail alone and leave nothing.
    expect(refusedWith(oversizeResults, ValueTooLargeError)).toBe(2);
    expect(refusedWith(staleResults, StaleAttemptError)).toBe(3);

    // Advance: the maximum wins; the advances that took effect have gapless versions.
    const advanced = fulfilled(advanceResults).filter((result) => result.advanced);
    expect(advanced.map((result) => result.version)).toEqual(range(1, advanced.length));
    expect((await backend.get(scope, 'cursor'))?.value).toBe(9);

    expect((await backend.list(scope)).entries.map((entry) => entry.key)).toEqual(['a', 'b', 'c', 'cursor']);
  });

  it('lets batches in flight together create the same absent keys: every write lands, versions gapless', async () => {
    const backend = new MetastoreStateBackend(
      test.database,
      { maxValueBytes: LIMIT_BYTES, historyDepth: 100 },
      undefined,
      {
        writeBatchSize: 4,
        writeBatchesInFlight: 3,
      },
    );
    const keys = ['x', 'y', 'z'];
    // Each batch of 4 holds writes to every key; concurrent batches race to insert each absent row.
    const writes = Array.from({ length: 24 }, (_, i) =>
      backend.set(scope, keys[i % 3] as string, i, { fence: { tiId, tryNumber: 2 } }),
    );
    const entries = await Promise.all(writes);
    for (const key of keys) {
      const versions = entries.filter((entry) => entry.key === key).map((entry) => entry.version);
      expect(versions.sort((x, y) => x - y)).toEqual(range(1, 8));
      const last = entries.find((entry) => entry.key === key && entry.version === 8);
      expect((await backend.get(scope, key))?.value).toBe(last?.value);
      expect((await backend.history(scope, key)).map((entry) => entry.version)).toEqual(range(1, 8).reverse());
    }
  });

  it('commits writes that arrive together in one transaction, bounded, and a lone write alone', async () => {
    await createProbeTables(test.database.db);
    const batcher = new StateWriteBatcher(test.database, 4, 1);
    const transactions: Db[] = [];
    const writes = Array.from({ length: 10 }, (_, i) =>
      batcher.run(async (trx) => {
        transactions.push(trx);
        await sql`insert into group_commit_probe (id) values (${i})`.execute(trx);
        return i;
      }),
    );
    expect(await Promise.all(writes)).toEqual(range(0, 9));
    const batchSizes = [...new Set(transactions)].map((trx) => transactions.filter((t) => t === trx).length);
    // On SQLite the driver never yields to I/O, so a drain that started with the first write
    // would have committed it alone ([1, 4, 4, 1]); the drain waits for this I/O phase's writes.
    expect(batchSizes).toEqual([4, 4, 2]);
    expect(await probeIds(test.database.db)).toEqual(range(0, 9));

    const lone = new Set<Db>();
    await batcher.run(async (trx) => {
      lone.add(trx);
      await sql`insert into group_commit_probe (id) values (10)`.execute(trx);
    });
    expect(lone.size).toBe(1);
    expect(transactions).not.toContain([...lone][0]);
  });

  it('fails every write of a batch whose COMMIT fails, keeps none of them, and goes on committing', async () => {
    await createProbeTables(test.database.db);
    const batcher = new StateWriteBatcher(test.database, 8, 1);
    const insert = (id: number) => (trx: Db) => sql`insert into group_commit_probe (id) values (${id})`.execute(trx);
    await batcher.run(insert(1));
    const doomed = settle<unknown>([
      batcher.run(insert(2)),
      // A deferred foreign key is checked at COMMIT: this write makes the shared COMMIT fail.
      batcher.run((trx) => sql`insert into group_commit_child (id, probe_id) values (1, 999)`.execute(trx)),
      batcher.run(insert(3)),
    ]);
    const results = await doomed;
    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(await probeIds(test.database.db)).toEqual([1]);
    await batcher.run(insert(4));
    expect(await probeIds(test.database.db)).toEqual([1, 4]);
  });

  it('goes on past a refusal in the same transaction, and runs each write alone after any other error', async () => {
    await createProbeTables(test.database.db);
    const batcher = new StateWriteBatcher(test.database, 8, 1);
    const transactions: Db[] = [];
    const insert = (id: number) => async (trx: Db) => {
      transactions.push(trx);
      await sql`insert into group_commit_probe (id) values (${id})`.execute(trx);
      return id;
    };
    const refused = await settle<unknown>([
      batcher.run(insert(1)),
      batcher.run(async () => {
        throw new StateConflictError('k', 3, 4);
      }),
      batcher.run(insert(2)),
    ]);
    expect(refused.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(new Set(transactions).size).toBe(1);

    transactions.length = 0;
    let failures = 0;
    const failed = await settle<unknown>([
      batcher.run(insert(3)),
      // Changes something, then fails: nothing of it may stay, and its neighbours still land.
      batcher.run(async (trx) => {
        await insert(90 + failures)(trx);
        failures++;
        throw new Error('boom after a change');
      }),
      batcher.run(insert(4)),
    ]);
    expect(failed.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((failed[1] as PromiseRejectedResult).reason).toHaveProperty('message', 'boom after a change');
    expect(await probeIds(test.database.db)).toEqual([1, 2, 3, 4]);
    // The batch's transaction, then one transaction per write.
    expect(new Set(transactions).size).toBe(4);
  });

  it('writes each alone with a batch size of 1', async () => {
    await createProbeTables(test.database.db);
    const batcher = new StateWriteBatcher(test.database, 1);
    const transactions = new Set<Db>();
    await Promise.all(
      range(1, 3).map((id) =>
        batcher.run(async (trx) => {
          transactions.add(trx);
          await sql`insert into group_commit_probe (id) values (${id})`.execute(trx);
        }),
      ),
    );
    expect(transactions.size).toBe(3);
    expect(await probeIds(test.database.db)).toEqual([1, 2, 3]);
  });
});

async function createProbeTables(db: Db): Promise<void> {
  await sql`create table if not exists group_commit_probe (id integer primary key)`.execute(db);
  await sql`create table if not exists group_commit_child (
    id integer primary key,
    probe_id integer references group_commit_probe (id) deferrable initially deferred
  )`.execute(db);
}

async function probeIds(db: Db): Promise<number[]> {
  const { rows } = await sql<{ id: number }>`select id from group_commit_probe order by id`.execute(db);
  return rows.map((row) => Number(row.id));
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}
