import { randomUUID } from 'node:crypto';
import { type SerializedDag, StaleAttemptError } from '@tidemark/core';
import { beforeEach, describe, expect, it } from 'vitest';
import type { MetadataDatabase } from '../open-database.ts';
import { PLAINTEXT_CIPHER } from '../state-store/encryption/state-value-cipher.ts';
import { eachDialect } from '../testing/describe-each-dialect.ts';
import {
  type SeededDagRun,
  type SeedTaskInstance,
  seedDagRun,
  seedTaskInstance,
} from '../testing/seed-task-instance.ts';
import { serializedTask } from '../testing/serialized-dag-fixtures.ts';
import { useTestDatabase } from '../testing/use-test-database.ts';
import { activateAsset } from './asset-repository.ts';
import {
  claimNextAttempt,
  claimNextAttempts,
  findSerializedTask,
  findTaskInstance,
  finishAttemptSkipped,
  finishAttemptSuccess,
  pushAttemptXcom,
  recordAttemptFailure,
  recordHeartbeat,
} from './attempt-repository.ts';
import { getXcom, setXcom } from './xcom-repository.ts';

const APPLY_STAGED = { stagedWrites: { apply: 'in_transaction', historyDepth: 10, cipher: PLAINTEXT_CIPHER } } as const;

const T0 = Date.UTC(2026, 0, 1);

const DAG: SerializedDag = {
  dagId: 'orders',
  fileloc: 'sales/orders-dag.ts',
  schedule: '@daily',
  startDate: Date.UTC(2025, 11, 1),
  catchup: false,
  description: 'Loads the day’s orders into the warehouse',
  tags: ['sales'],
  tasks: [
    serializedTask('extract', { executionTimeoutMs: 60_000, retries: 2, retryDelayMs: 5_000 }),
    serializedTask('transform', {
      upstreamTaskIds: ['extract'],
      mapOver: 'extract',
      retries: 3,
      retryDelayMs: 1_000,
      retryExponentialBackoff: true,
      maxRetryDelayMs: 3_000,
    }),
    serializedTask('load', {
      upstreamTaskIds: ['transform'],
      outlets: [
        { name: 'orders', uri: 's3://warehouse/orders' },
        { name: 'never-activated', uri: 's3://warehouse/nowhere' },
      ],
    }),
  ],
};

function seedRun(database: MetadataDatabase, runId = 'manual__1', conf = {}): Promise<SeededDagRun> {
  return seedDagRun(database.db, DAG, { runId, conf, logicalDate: T0 }, T0);
}

function seedTi(database: MetadataDatabase, run: SeededDagRun, ti: Omit<SeedTaskInstance, 'now'>): Promise<string> {
  return seedTaskInstance(database.db, run, { ...ti, now: T0 });
}

async function xcomAt(
  database: MetadataDatabase,
  run: SeededDagRun,
  taskId: string,
  mapIndex = -1,
  key = 'return_value',
) {
  return getXcom(database.db, { dagRunId: run.dagRunId, taskId, mapIndex, key });
}

async function putXcom(
  database: MetadataDatabase,
  run: SeededDagRun,
  taskId: string,
  mapIndex: number,
  value: unknown,
) {
  await setXcom(database.db, {
    dagRunId: run.dagRunId,
    dagId: DAG.dagId,
    runId: run.runId,
    taskId,
    mapIndex,
    key: 'return_value',
    value: JSON.stringify(value),
    now: T0,
  });
}

describe.each(eachDialect())('attempt repository on %s', (dialect) => {
  const test = useTestDatabase(dialect);
  let database: MetadataDatabase;
  let run: SeededDagRun;

  beforeEach(async () => {
    database = test.database;
    run = await seedRun(database, 'manual__1', { region: 'eu', limit: 10 });
  });

  describe('findTaskInstance and findSerializedTask', () => {
    it('finds a TI by id, and undefined for an unknown id', async () => {
      const id = await seedTi(database, run, { taskId: 'extract' });
      expect(await findTaskInstance(database.db, id)).toMatchObject({ id, task_id: 'extract', state: 'queued' });
      expect(await findTaskInstance(database.db, randomUUID())).toBeUndefined();
    });

    it('reads a task from the serialized DAG', async () => {
      expect(await findSerializedTask(database.db, 'orders', 'transform')).toMatchObject({ mapOver: 'extract' });
      expect(await findSerializedTask(database.db, 'orders', 'nope')).toBeUndefined();
      expect(await findSerializedTask(database.db, 'nope', 'extract')).toBeUndefined();
    });
  });

  describe('claimNextAttempt', () => {
    it('returns undefined when nothing is queued', async () => {
      await seedTi(database, run, { taskId: 'extract', state: 'scheduled' });
      await seedTi(database, run, { taskId: 'load', state: null });
      expect(await claimNextAttempt(database, { worker: 'host:1', now: T0 })).toBeUndefined();
    });

    it('claims the oldest queued TI, makes it running at the next try, and returns its context', async () => {
      const later = await seedTi(database, run, { taskId: 'load', queuedAt: T0 + 10, tryNumber: 1, maxTries: 3 });
      const oldest = await seedTi(database, run, { taskId: 'extract', queuedAt: T0 + 5, tryNumber: 1, maxTries: 3 });
      await database.db
        .updateTable('task_instance')
        .set({ end_date: T0, next_retry_at: T0 })
        .where('id', '=', oldest)
        .execute();

      const claimed = await claimNextAttempt(database, { worker: 'host:1', now: T0 + 100 });

      expect(claimed?.taskInstance).toMatchObject({
        id: oldest,
        state: 'running',
        try_number: 2,
        max_tries: 3,
        start_date: T0 + 100,
        heartbeat_at: T0 + 100,
        end_date: null,
        next_retry_at: null,
        worker: 'host:1',
      });
      expect(claimed).toMatchObject({
        fileloc: 'sales/orders-dag.ts',
        conf: { region: 'eu', limit: 10 },
        logicalDate: T0,
        executionTimeoutMs: 60_000,
      });
      expect(claimed).not.toHaveProperty('mapItem');
      expect(await findTaskInstance(database.db, oldest)).toMatchObject({ state: 'running', try_number: 2 });
      expect((await claimNextAttempt(database, { worker: 'host:1', now: T0 + 200 }))?.taskInstance.id).toBe(later);
      expect(await claimNextAttempt(database, { worker: 'host:1', now: T0 + 300 })).toBeUndefined();
    });

    it('breaks ties on queued_at by id', async () => {
      const ids = [
        await seedTi(database, run, { taskId: 'extract' }),
        await seedTi(database, run, { taskId: 'load' }),
      ].sort();
      const first = await claimNextAttempt(database, { worker: 'w', now: T0 });
      expect(first?.taskInstance.id).toBe(ids[0]);
    });

    it('wipes the XComs of the previous try of the claimed TI only', async () => {
      const id = await seedTi(database, run, { taskId: 'extract', tryNumber: 1, maxTries: 2 });
      await putXcom(database, run, 'extract', -1, [1, 2]);
      await setXcom(database.db, {
        dagRunId: run.dagRunId,
        dagId: 'orders',
        runId: run.runId,
        taskId: 'extract',
        mapIndex: -1,
        key: 'progress',
        value: '7',
        now: T0,
      });
      await putXcom(database, run, 'load', -1, 'kept');

      expect((await claimNextAttempt(database, { worker: 'w', now: T0 }))?.taskInstance.id).toBe(id);

      expect(await xcomAt(database, run, 'extract')).toBeUndefined();
      expect(await xcomAt(database, run, 'extract', -1, 'progress')).toBeUndefined();
      expect(await xcomAt(database, run, 'load')).toBe('kept');
    });

    it('gives a mapped TI its element of the upstream return value', async () => {
      await putXcom(database, run, 'extract', -1, ['a', { b: 2 }, null]);
      await seedTi(database, run, { taskId: 'transform', mapIndex: 1 });
      const claimed = await claimNextAttempt(database, { worker: 'w', now: T0 });
      expect(claimed?.mapItem).toEqual({ b: 2 });
      expect(claimed?.mapItemError).toBeUndefined();

      await seedTi(database, run, { taskId: 'transform', mapIndex: 2, queuedAt: T0 + 1 });
      const third = await claimNextAttempt(database, { worker: 'w', now: T0 });
      expect(third).toHaveProperty('mapItem', null);
    });

    it('claims a mapped TI whose element is missing, and says why', async () => {
      await seedTi(database, run, { taskId: 'transform', mapIndex: 0 });
      const noUpstream = await claimNextAttempt(database, { worker: 'w', now: T0 });
      expect(noUpstream?.taskInstance.state).toBe('running');
      expect(noUpstream?.mapItemError).toMatch(/mapped over the return value of task "extract", which has none/);

      await putXcom(database, run, 'extract', -1, ['only']);
      await seedTi(database, run, { taskId: 'transform', mapIndex: 3, queuedAt: T0 + 1 });
      const outOfRange = await claimNextAttempt(database, { worker: 'w', now: T0 });
      expect(outOfRange?.mapItemError).toMatch(/1 element\(s\): map index 3 is out of range/);
      expect(outOfRange).not.toHaveProperty('mapItem');
    });

    it('gives 5 queued TIs to 20 concurrent claimers exactly once each', async () => {
      const ids = [];
      for (let index = 0; index < 5; index++) {
        ids.push(await seedTi(database, run, { taskId: 'transform', mapIndex: index, queuedAt: T0 + index }));
      }
      const claims = await Promise.all(
        Array.from({ length: 20 }, (_, worker) => claimNextAttempt(database, { worker: `w${worker}`, now: T0 })),
      );
      const claimedIds = claims.flatMap((claim) => (claim ? [claim.taskInstance.id] : []));
      expect(claimedIds).toHaveLength(5);
      expect(new Set(claimedIds)).toEqual(new Set(ids));
      const rows = await database.db.selectFrom('task_instance').select(['state', 'try_number']).execute();
      expect(rows.every((row) => row.state === 'running' && row.try_number === 1)).toBe(true);
    });
  });

  describe('claimNextAttempts (batch)', () => {
    /** The same world in `into`: a retried TI with an old XCom, mapped TIs, one unmappable, one not queued. */
    async function seedMixedWorld(into: SeededDagRun): Promise<void> {
      await putXcom(database, into, 'extract', -1, ['a', 'b']);
      await seedTi(database, into, { taskId: 'load', queuedAt: T0 + 4, tryNumber: 1, maxTries: 3 });
      await putXcom(database, into, 'load', -1, 'old try');
      await seedTi(database, into, { taskId: 'transform', mapIndex: 1, queuedAt: T0 + 1 });
      await seedTi(database, into, { taskId: 'transform', mapIndex: 0, queuedAt: T0 + 2 });
      await seedTi(database, into, { taskId: 'transform', mapIndex: 7, queuedAt: T0 + 3 });
      await seedTi(database, into, { taskId: 'extract', state: 'scheduled', queuedAt: T0 });
    }

    const shape = (claim: Awaited<ReturnType<typeof claimNextAttempt>>) => ({
      task: `${claim?.taskInstance.task_id}[${claim?.taskInstance.map_index}]`,
      try: claim?.taskInstance.try_number,
      state: claim?.taskInstance.state,
      mapItem: claim?.mapItem,
      mapItemError: claim?.mapItemError,
      executionTimeoutMs: claim?.executionTimeoutMs,
      conf: claim?.conf,
      fileloc: claim?.fileloc,
    });

    it('claims what one-at-a-time claims would, in the same order, and wipes the started tries’ XComs', async () => {
      await seedMixedWorld(run);
      const oneByOne = [];
      for (;;) {
        const claim = await claimNextAttempt(database, { worker: 'w', now: T0 });
        if (!claim) break;
        oneByOne.push(shape(claim));
      }
      const second = await seedRun(database, 'manual__2', { region: 'eu', limit: 10 });
      await seedMixedWorld(second);

      const batch = await claimNextAttempts(database, { worker: 'w', now: T0, limit: 10 });

      expect(batch.map(shape)).toEqual(oneByOne);
      expect(oneByOne.map((claim) => claim.task)).toEqual(['transform[1]', 'transform[0]', 'transform[7]', 'load[-1]']);
      expect(batch[3]?.taskInstance.try_number).toBe(2);
      expect(await xcomAt(database, second, 'load')).toBeUndefined();
      expect(await xcomAt(database, second, 'extract')).toEqual(['a', 'b']);
    });

    it('claims at most `limit`, oldest first, and the rest on the next claim', async () => {
      const ids = [];
      for (let index = 0; index < 5; index++) {
        ids.push(await seedTi(database, run, { taskId: 'transform', mapIndex: index, queuedAt: T0 + index }));
      }
      const first = await claimNextAttempts(database, { worker: 'w', now: T0, limit: 3 });
      const rest = await claimNextAttempts(database, { worker: 'w', now: T0, limit: 3 });
      expect(first.map((claim) => claim.taskInstance.id)).toEqual(ids.slice(0, 3));
      expect(rest.map((claim) => claim.taskInstance.id)).toEqual(ids.slice(3));
      expect(await claimNextAttempts(database, { worker: 'w', now: T0, limit: 3 })).toEqual([]);
    });

    it('claims a full batch of 256 in one go, wiping the XComs of every started try', async () => {
      const rows = Array.from({ length: 257 }, (_, index) => ({
        id: randomUUID(),
        dag_run_id: run.dagRunId,
        dag_id: DAG.dagId,
        run_id: run.runId,
        task_id: 'transform',
        map_index: index,
        state: 'queued',
        try_number: 1,
        max_tries: 3,
        queued_at: T0 + index,
        created_at: T0,
        updated_at: T0,
      }));
      await database.db.insertInto('task_instance').values(rows).execute();
      for (const mapIndex of [0, 200, 255, 256]) await putXcom(database, run, 'transform', mapIndex, 'old try');

      const claimed = await claimNextAttempts(database, { worker: 'w', now: T0, limit: 256 });

      expect(claimed).toHaveLength(256);
      expect(claimed.every((claim) => claim.taskInstance.try_number === 2)).toBe(true);
      for (const mapIndex of [0, 200, 255]) expect(await xcomAt(database, run, 'transform', mapIndex)).toBeUndefined();
      expect(await xcomAt(database, run, 'transform', 256)).toBe('old try');
    });

    it('hands each of 20 TIs to exactly one of two workers racing with 4 claims of 3 each', async () => {
      const ids = new Set<string>();
      for (let index = 0; index < 20; index++) {
        ids.add(await seedTi(database, run, { taskId: 'transform', mapIndex: index, queuedAt: T0 + index }));
      }
      const claims = await Promise.all(
        ['w1', 'w2'].flatMap((worker) =>
          Array.from({ length: 4 }, () => claimNextAttempts(database, { worker, now: T0, limit: 3 })),
        ),
      );
      expect(claims.every((batch) => batch.length <= 3)).toBe(true);
      const claimed = claims.flat().map((claim) => claim.taskInstance.id);
      expect(new Set(claimed).size).toBe(claimed.length);
      expect(claimed.every((id) => ids.has(id))).toBe(true);
      const running = await database.db
        .selectFrom('task_instance')
        .select(['id', 'worker', 'try_number'])
        .where('state', '=', 'running')
        .execute();
      expect(running.map((row) => row.id).sort()).toEqual([...claimed].sort());
      expect(running.every((row) => row.try_number === 1)).toBe(true);
    });

    it('refuses a limit that is not a positive integer, claiming nothing', async () => {
      const id = await seedTi(database, run, { taskId: 'extract' });
      for (const limit of [0, -1, 1.5, Number.NaN]) {
        await expect(claimNextAttempts(database, { worker: 'w', now: T0, limit })).rejects.toThrow(
          /claim limit must be a positive integer/,
        );
      }
      expect(await findTaskInstance(database.db, id)).toMatchObject({ state: 'queued', try_number: 0 });
    });
  });

  describe('recordHeartbeat', () => {
    it('is true for the running attempt and false once the TI moved on', async () => {
      const tiId = await seedTi(database, run, { taskId: 'extract', maxTries: 3 });
      await claimNextAttempt(database, { worker: 'w', now: T0 });
      expect(await recordHeartbeat(database.db, { tiId, tryNumber: 1, now: T0 + 5 })).toBe(true);
      expect((await findTaskInstance(database.db, tiId))?.heartbeat_at).toBe(T0 + 5);
      expect(await recordHeartbeat(database.db, { tiId, tryNumber: 2, now: T0 + 6 })).toBe(false);

      await recordAttemptFailure(database, { tiId, tryNumber: 1, error: 'boom', retryable: true, now: T0 + 7 });
      expect(await recordHeartbeat(database.db, { tiId, tryNumber: 1, now: T0 + 8 })).toBe(false);
      expect((await findTaskInstance(database.db, tiId))?.heartbeat_at).toBe(T0 + 5);
      expect(await recordHeartbeat(database.db, { tiId: randomUUID(), tryNumber: 1, now: T0 })).toBe(false);
    });
  });

  describe('finishAttemptSuccess', () => {
    it('marks success, stores the return value and records events for existing outlet assets', async () => {
      const ordersAssetId = await activateAsset(database.db, { name: 'orders', uri: 's3://warehouse/orders' }, T0);
      await database.db
        .insertInto('asset')
        .values({ name: 'orders', uri: 's3://elsewhere/orders', created_at: T0, updated_at: T0 })
        .execute();
      const tiId = await seedTi(database, run, { taskId: 'load' });
      await claimNextAttempt(database, { worker: 'w', now: T0 });

      const outcome = await finishAttemptSuccess(database, {
        ...APPLY_STAGED,
        tiId,
        tryNumber: 1,
        returnValue: JSON.stringify({ rows: 42 }),
        now: T0 + 50,
      });

      expect(outcome).toEqual({ state: 'success', nextRetryAt: null, stagedWrites: [] });
      expect(await findTaskInstance(database.db, tiId)).toMatchObject({ state: 'success', end_date: T0 + 50 });
      expect(await xcomAt(database, run, 'load')).toEqual({ rows: 42 });
      const events = await database.db.selectFrom('asset_event').selectAll().execute();
      expect(events).toEqual([
        expect.objectContaining({
          asset_id: ordersAssetId,
          source_dag_id: 'orders',
          source_run_id: 'manual__1',
          source_task_id: 'load',
          source_map_index: -1,
          created_at: T0 + 50,
        }),
      ]);
    });

    it('stores no XCom without a return value', async () => {
      const tiId = await seedTi(database, run, { taskId: 'extract' });
      await claimNextAttempt(database, { worker: 'w', now: T0 });
      await finishAttemptSuccess(database, { ...APPLY_STAGED, tiId, tryNumber: 1, now: T0 });
      expect(await xcomAt(database, run, 'extract')).toBeUndefined();
    });

    it('refuses a stale attempt and changes nothing', async () => {
      await activateAsset(database.db, { name: 'orders', uri: 's3://warehouse/orders' }, T0);
      const tiId = await seedTi(database, run, { taskId: 'load', maxTries: 2 });
      await claimNextAttempt(database, { worker: 'w', now: T0 });
      await recordAttemptFailure(database, { tiId, tryNumber: 1, error: 'lost', retryable: true, now: T0 + 1 });
      const before = await findTaskInstance(database.db, tiId);

      const finishing = finishAttemptSuccess(database, {
        ...APPLY_STAGED,
        tiId,
        tryNumber: 1,
        returnValue: '1',
        now: T0 + 2,
      });
      await expect(finishing).rejects.toBeInstanceOf(StaleAttemptError);
      await expect(finishing).rejects.toThrow(/attempt 1 of task instance .* is no longer the running attempt/);

      expect(await findTaskInstance(database.db, tiId)).toEqual(before);
      expect(await xcomAt(database, run, 'load')).toBeUndefined();
      expect(await database.db.selectFrom('asset_event').selectAll().execute()).toEqual([]);
    });

    it('refuses an attempt of a task instance that no longer exists', async () => {
      await expect(
        finishAttemptSuccess(database, { ...APPLY_STAGED, tiId: randomUUID(), tryNumber: 1, now: T0 }),
      ).rejects.toThrow(/no longer the running attempt \(the task instance no longer exists\)/);
    });
  });

  describe('finishAttemptSkipped', () => {
    it('marks skipped, and refuses a second finish', async () => {
      const tiId = await seedTi(database, run, { taskId: 'extract' });
      await claimNextAttempt(database, { worker: 'w', now: T0 });
      expect(await finishAttemptSkipped(database, { tiId, tryNumber: 1, now: T0 + 9 })).toEqual({
        state: 'skipped',
        nextRetryAt: null,
      });
      expect(await findTaskInstance(database.db, tiId)).toMatchObject({ state: 'skipped', end_date: T0 + 9 });
      await expect(finishAttemptSkipped(database, { tiId, tryNumber: 1, now: T0 })).rejects.toThrow(
        /the task instance is skipped at try 1/,
      );
    });
  });

  describe('recordAttemptFailure', () => {
    it('retries after the fixed delay until the tries are used up, then fails', async () => {
      const tiId = await seedTi(database, run, { taskId: 'extract', maxTries: 3 });
      const outcomes = [];
      for (let tryNumber = 1; tryNumber <= 3; tryNumber++) {
        await database.db.updateTable('task_instance').set({ state: 'queued' }).where('id', '=', tiId).execute();
        const claimed = await claimNextAttempt(database, { worker: 'w', now: T0 });
        expect(claimed?.taskInstance.try_number).toBe(tryNumber);
        outcomes.push(await recordAttemptFailure(database, { tiId, tryNumber, error: 'x', retryable: true, now: T0 }));
      }
      expect(outcomes).toEqual([
        { state: 'up_for_retry', nextRetryAt: T0 + 5_000 },
        { state: 'up_for_retry', nextRetryAt: T0 + 5_000 },
        { state: 'failed', nextRetryAt: null },
      ]);
      expect(await findTaskInstance(database.db, tiId)).toMatchObject({
        state: 'failed',
        end_date: T0,
        next_retry_at: null,
      });
    });

    it('doubles the delay with exponential backoff, up to the cap', async () => {
      const tiId = await seedTi(database, run, { taskId: 'transform', mapIndex: 0, maxTries: 4 });
      await putXcom(database, run, 'extract', -1, ['a']);
      const delays = [];
      for (let tryNumber = 1; tryNumber <= 3; tryNumber++) {
        await database.db.updateTable('task_instance').set({ state: 'queued' }).where('id', '=', tiId).execute();
        await claimNextAttempt(database, { worker: 'w', now: T0 });
        const outcome = await recordAttemptFailure(database, { tiId, tryNumber, error: 'x', retryable: true, now: T0 });
        delays.push((outcome.nextRetryAt ?? 0) - T0);
      }
      expect(delays).toEqual([1_000, 2_000, 3_000]);
      expect(await findTaskInstance(database.db, tiId)).toMatchObject({
        state: 'up_for_retry',
        next_retry_at: T0 + 3_000,
        end_date: T0,
      });
    });

    it('fails at once when the error is not retryable', async () => {
      const tiId = await seedTi(database, run, { taskId: 'extract', maxTries: 3 });
      await claimNextAttempt(database, { worker: 'w', now: T0 });
      expect(
        await recordAttemptFailure(database, { tiId, tryNumber: 1, error: 'x', retryable: false, now: T0 }),
      ).toEqual({ state: 'failed', nextRetryAt: null });
    });

    it('refuses an attempt that is not running', async () => {
      const tiId = await seedTi(database, run, { taskId: 'extract', maxTries: 3 });
      await expect(
        recordAttemptFailure(database, { tiId, tryNumber: 0, error: 'x', retryable: true, now: T0 }),
      ).rejects.toThrow(/the task instance is queued at try 0/);
      expect(await findTaskInstance(database.db, tiId)).toMatchObject({ state: 'queued', try_number: 0 });
    });
  });

  describe('pushAttemptXcom', () => {
    it('stores an XCom for the running attempt and refuses a stale one', async () => {
      const tiId = await seedTi(database, run, { taskId: 'extract', maxTries: 2 });
      await claimNextAttempt(database, { worker: 'w', now: T0 });
      await pushAttemptXcom(database, { tiId, tryNumber: 1, key: 'rows', value: '3', now: T0 });
      expect(await xcomAt(database, run, 'extract', -1, 'rows')).toBe(3);

      await expect(pushAttemptXcom(database, { tiId, tryNumber: 2, key: 'rows', value: '4', now: T0 })).rejects.toThrow(
        StaleAttemptError,
      );
      expect(await xcomAt(database, run, 'extract', -1, 'rows')).toBe(3);
    });
  });
});
