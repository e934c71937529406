import { assetScope } from '@tidemark/core';
import { beforeEach, describe, expect, it } from 'vitest';
import type { MetadataDatabase } from '../open-database.ts';
import { activateAsset } from '../repositories/asset-repository.ts';
import { finishAttemptSuccess, recordAttemptFailure } from '../repositories/attempt-repository.ts';
import { eachDialect } from '../testing/describe-each-dialect.ts';
import { seedDagRun, seedTaskInstance } from '../testing/seed-task-instance.ts';
import { useTestDatabase } from '../testing/use-test-database.ts';
import { PLAINTEXT_CIPHER } from './encryption/state-value-cipher.ts';
import { MetastoreStateBackend } from './metastore-state-backend.ts';
import { applyStagedAssetWrites, type StagedAssetWrite, stageAssetWrite } from './staged-asset-writes.ts';

const APPLY_STAGED = { stagedWrites: { apply: 'in_transaction', historyDepth: 10, cipher: PLAINTEXT_CIPHER } } as const;

const T0 = Date.UTC(2026, 0, 1);
const WRITER = JSON.stringify({ kind: 'task', dagId: 'd', runId: 'r', taskId: 't', mapIndex: -1, tryNumber: 1 });

describe.each(eachDialect())('staged asset writes on %s', (dialect) => {
  const test = useTestDatabase(dialect);
  let database: MetadataDatabase;
  let backend: MetastoreStateBackend;
  let assetId: number;
  let tiId: string;

  beforeEach(async () => {
    database = test.database;
    backend = new MetastoreStateBackend(database, { maxValueBytes: 0, historyDepth: 10, clock: () => T0 });
    assetId = await activateAsset(database.db, { name: 'orders' }, T0);
    const run = await seedDagRun(
      database.db,
      { dagId: 'd', fileloc: 'd.ts', schedule: null },
      { runId: 'r', logicalDate: T0 },
      T0,
    );
    tiId = await seedTaskInstance(database.db, run, {
      taskId: 't',
      state: 'running',
      tryNumber: 1,
      maxTries: 2,
      startDate: T0,
      heartbeatAt: T0,
      worker: 'w',
      now: T0,
    });
  });

  const stage = (write: Partial<StagedAssetWrite> & Pick<StagedAssetWrite, 'key' | 'value'>) =>
    stageAssetWrite(
      database.db,
      {
        tiId,
        tryNumber: 1,
        assetId,
        operation: 'set',
        writtenBy: WRITER,
        now: T0,
        ...write,
      },
      PLAINTEXT_CIPHER,
    );
  const pending = async () => (await database.db.selectFrom('state_pending').select('id').execute()).length;

  it('applies set and advance (only when greater) on success, with history and writer, and removes them', async () => {
    await backend.set(assetScope(assetId), 'high', 100);
    await backend.set(assetScope(assetId), 'low', 1);
    await stage({ key: 'new', value: '{"a":1}' });
    await stage({ key: 'high', value: '50', operation: 'advance' });
    await stage({ key: 'low', value: '7', operation: 'advance' });
    await stage({ key: 'fresh', value: '"2026-01-01"', operation: 'advance' });
    await stage({ key: 'other try', value: '1', tryNumber: 2 });

    expect(await backend.get(assetScope(assetId), 'new')).toBeUndefined();
    await finishAttemptSuccess(database, { ...APPLY_STAGED, tiId, tryNumber: 1, now: T0 + 1 });

    const get = async (key: string) => backend.get(assetScope(assetId), key);
    expect(await get('new')).toMatchObject({ value: { a: 1 }, version: 1, updatedBy: JSON.parse(WRITER) });
    expect(await get('high')).toMatchObject({ value: 100, version: 1 });
    expect(await get('low')).toMatchObject({ value: 7, version: 2, updatedAt: T0 + 1 });
    expect(await get('fresh')).toMatchObject({ value: '2026-01-01', version: 1 });
    expect(await get('other try')).toBeUndefined();
    expect((await backend.history(assetScope(assetId), 'low')).map((entry) => entry.value)).toEqual([7, 1]);
    expect(await pending()).toBe(1);
  });

  it('skips a staged advance whose type no longer matches, without failing the success', async () => {
    await backend.set(assetScope(assetId), 'w', 'text');
    await stage({ key: 'w', value: '5', operation: 'advance' });
    await expect(
      database.db.transaction().execute((trx) =>
        applyStagedAssetWrites(trx, {
          tiId,
          tryNumber: 1,
          now: T0,
          dialect,
          historyDepth: 10,
          cipher: PLAINTEXT_CIPHER,
        }),
      ),
    ).resolves.toBe(0);
    expect(await backend.get(assetScope(assetId), 'w')).toMatchObject({ value: 'text' });
  });

  it('drops the attempt’s staged writes when it fails', async () => {
    await stage({ key: 'k', value: '1' });
    await recordAttemptFailure(database, { tiId, tryNumber: 1, error: 'boom', retryable: true, now: T0 });
    expect(await pending()).toBe(0);
    expect(await backend.get(assetScope(assetId), 'k')).toBeUndefined();
  });
});
