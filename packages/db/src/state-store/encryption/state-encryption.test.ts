import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { assetScope, dagScope, type StateBackendSettings, StateEncryptionKeyError, taskScope } from '@tidemark/core';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { activateAsset } from '../../repositories/asset-repository.ts';
import { registerDag } from '../../repositories/dag-repository.ts';
import { createDagRun } from '../../repositories/dag-run-repository.ts';
import { eachDialect, openTestDatabaseFor } from '../../testing/describe-each-dialect.ts';
import type { TestDatabase } from '../../testing/test-database.ts';
import { MetastoreStateBackend } from '../metastore-state-backend.ts';
import { applyStagedAssetWrites, stageAssetWrite } from '../staged-asset-writes.ts';
import { countStaleStateValues, rotateStateEncryption, TABLES_WITH_STATE_VALUES } from './rotate-state-encryption.ts';
import { PLAINTEXT_CIPHER, StateValueCipher, stateKey } from './state-value-cipher.ts';

const T0 = Date.UTC(2026, 0, 1);
const SETTINGS: StateBackendSettings = { maxValueBytes: 0, historyDepth: 10, clock: () => T0 };
const SECRET = 'hunter2-distinctive-plaintext-7f3a';
const KEY_A = stateKey(randomBytes(32).toString('base64'));
const KEY_B = stateKey(randomBytes(32).toString('base64'));
const TASK = taskScope({ dagId: 'd', runId: 'r', taskId: 't', mapIndex: -1 });

describe.each(eachDialect())('state encryption at rest on %s', (dialect) => {
  let test: TestDatabase;
  let assetId: number;
  let tiId: string;

  beforeEach(async () => {
    test = await openTestDatabaseFor(dialect);
    const { db } = test.database;
    assetId = await activateAsset(db, { name: 'orders' }, T0);
    await registerDag(db, { dagId: 'd', fileloc: 'd.ts', schedule: null }, T0);
    const dagRunId = await createDagRun(db, { dagId: 'd', runId: 'r', conf: {}, logicalDate: T0 }, T0);
    tiId = randomUUID();
    await db
      .insertInto('task_instance')
      .values({
        ...{ id: tiId, dag_run_id: dagRunId, dag_id: 'd', run_id: 'r', task_id: 't', map_index: -1 },
        ...{ state: 'running', try_number: 1, max_tries: 2, queued_at: T0, start_date: T0, end_date: null },
        ...{ heartbeat_at: T0, next_retry_at: null, worker: 'w', created_at: T0, updated_at: T0 },
      })
      .execute();
  });
  afterEach(() => test.destroy());

  const backendWith = (cipher: StateValueCipher) => new MetastoreStateBackend(test.database, SETTINGS, cipher);
  const stage = (cipher: StateValueCipher, key: string, value: string, operation: 'set' | 'advance' = 'set') =>
    stageAssetWrite(
      test.database.db,
      { tiId, tryNumber: 1, assetId, key, operation, value, writtenBy: null, now: T0 },
      cipher,
    );
  const applyStaged = (cipher: StateValueCipher) =>
    test.database.db
      .transaction()
      .execute((trx) =>
        applyStagedAssetWrites(trx, { tiId, tryNumber: 1, now: T0, dialect, historyDepth: 10, cipher }),
      );

  /** Every stored value of every state table, as the database holds it. */
  async function rawValues(): Promise<string[]> {
    const values: string[] = [];
    for (const table of TABLES_WITH_STATE_VALUES) {
      const { rows } = await sql<{ value: string | null }>`select value from ${sql.table(table)}`.execute(
        test.database.db,
      );
      values.push(...rows.flatMap((row) => (row.value === null ? [] : [row.value])));
    }
    return values;
  }

  /** The database as a dump would hold it: the SQLite file (and its WAL), or every PostgreSQL value column as text. */
  async function dumpText(): Promise<string> {
    if (dialect === 'sqlite') {
      const file = test.url.replace(/^sqlite:/, '');
      return [file, `${file}-wal`]
        .filter((path) => existsSync(path))
        .map((path) => readFileSync(path).toString('latin1'))
        .join('');
    }
    const parts: string[] = [];
    for (const table of TABLES_WITH_STATE_VALUES) {
      const { rows } = await sql<{ row: string }>`select t::text as row from ${sql.table(table)} t`.execute(
        test.database.db,
      );
      parts.push(...rows.map((row) => row.row));
    }
    return parts.join('\n');
  }

  async function writeEverywhere(cipher: StateValueCipher): Promise<void> {
    const backend = backendWith(cipher);
    await backend.set(TASK, 'job', { token: SECRET });
    await backend.set(assetScope(assetId), 'cursor', { token: SECRET });
    await stage(cipher, 'staged', JSON.stringify({ token: SECRET }));
    // SPEC §17: DAG state and item-keyed task state are sealed the same way.
    await backend.set(dagScope('d'), 'registry', { token: SECRET });
    await backend.set({ ...TASK, itemKey: 'order-7' }, 'job', { token: SECRET });
  }

  it('stores no plaintext value in the database file or tables, and reads every value back', async () => {
    const cipher = new StateValueCipher(KEY_A);
    await writeEverywhere(cipher);

    expect(await dumpText()).not.toContain(SECRET);
    const raw = await rawValues();
    expect(raw).toHaveLength(9); // task, asset, DAG and item rows, their four history rows, one staged write
    for (const value of raw) expect(value).toMatch(new RegExp(`^enc:v1:${KEY_A.id}:`));

    const backend = backendWith(cipher);
    expect((await backend.get(TASK, 'job'))?.value).toEqual({ token: SECRET });
    expect((await backend.list(assetScope(assetId))).entries[0]?.value).toEqual({ token: SECRET });
    expect((await backend.history(TASK, 'job'))[0]?.value).toEqual({ token: SECRET });
    expect((await backend.get(dagScope('d'), 'registry'))?.value).toEqual({ token: SECRET });
    expect((await backend.get({ ...TASK, itemKey: 'order-7' }, 'job'))?.value).toEqual({ token: SECRET });
    await applyStaged(cipher);
    expect((await backend.get(assetScope(assetId), 'staged'))?.value).toEqual({ token: SECRET });
  });

  it('the same writes without a key are plain JSON: the dump check above sees a leak when there is one', async () => {
    await writeEverywhere(PLAINTEXT_CIPHER);
    expect(await dumpText()).toContain(SECRET);
  });

  it('reads values stored before the key was set, and seals what is written after', async () => {
    await backendWith(PLAINTEXT_CIPHER).set(TASK, 'old', 41);
    const backend = backendWith(new StateValueCipher(KEY_A));
    expect((await backend.get(TASK, 'old'))?.value).toBe(41);
    await backend.set(TASK, 'old', 42);
    expect((await backend.get(TASK, 'old'))?.value).toBe(42);
    expect((await backend.history(TASK, 'old')).map((entry) => entry.value)).toEqual([42, 41]);
  });

  it('advances on encrypted values, comparing plaintext (backend and staged writes)', async () => {
    const cipher = new StateValueCipher(KEY_A);
    const backend = backendWith(cipher);
    await backend.set(TASK, 'watermark', 10);
    expect(await backend.advance(TASK, 'watermark', 9)).toMatchObject({ value: 10, advanced: false });
    expect(await backend.advance(TASK, 'watermark', 11)).toMatchObject({ value: 11, advanced: true });

    await backend.set(assetScope(assetId), 'w', 100);
    await stage(cipher, 'w', '99', 'advance');
    expect(await applyStaged(cipher)).toBe(0);
    await stage(cipher, 'w', '101', 'advance');
    expect(await applyStaged(cipher)).toBe(1);
    expect((await backend.get(assetScope(assetId), 'w'))?.value).toBe(101);
  });

  it('reads values sealed with an old key once it is listed in the old keys', async () => {
    await writeEverywhere(new StateValueCipher(KEY_A));
    const rotated = backendWith(new StateValueCipher(KEY_B, [KEY_A]));
    expect((await rotated.get(TASK, 'job'))?.value).toEqual({ token: SECRET });
    await rotated.set(TASK, 'job', 'new');
    expect((await rotated.history(TASK, 'job')).map((entry) => entry.value)).toEqual(['new', { token: SECRET }]);
  });

  it('a value sealed with a key the server was not given is a clear error naming state.encryption_key', async () => {
    await backendWith(new StateValueCipher(KEY_A)).set(TASK, 'job', SECRET);
    for (const cipher of [new StateValueCipher(KEY_B), PLAINTEXT_CIPHER]) {
      const read = backendWith(cipher).get(TASK, 'job');
      await expect(read).rejects.toBeInstanceOf(StateEncryptionKeyError);
      await expect(read).rejects.toMatchObject({
        code: 'state_encryption_key_unknown',
        message: expect.stringContaining('state.encryption_key'),
      });
    }
  });

  it('rotate re-seals every stored value with the current key, in batches, and a second run has nothing to do', async () => {
    await backendWith(PLAINTEXT_CIPHER).set(TASK, 'plain', 'before the key');
    await writeEverywhere(new StateValueCipher(KEY_A));
    const cipher = new StateValueCipher(KEY_B, [KEY_A]);
    expect(await countStaleStateValues(test.database, cipher)).toBe(11);

    const progress: number[] = [];
    const report = await rotateStateEncryption(test.database, cipher, {
      batchSize: 2,
      onProgress: (rewritten) => progress.push(rewritten),
    });

    expect(report).toEqual({ rewritten: 11, skipped: 0 });
    expect(progress.length).toBeGreaterThan(1);
    for (const value of await rawValues()) expect(value).toMatch(new RegExp(`^enc:v1:${KEY_B.id}:`));
    expect(await dumpText()).not.toContain('before the key');
    const onlyB = backendWith(new StateValueCipher(KEY_B));
    expect((await onlyB.get(TASK, 'job'))?.value).toEqual({ token: SECRET });
    expect((await onlyB.get(TASK, 'plain'))?.value).toBe('before the key');
    expect((await onlyB.get(dagScope('d'), 'registry'))?.value).toEqual({ token: SECRET });
    await applyStaged(new StateValueCipher(KEY_B));
    expect((await onlyB.get(assetScope(assetId), 'staged'))?.value).toEqual({ token: SECRET });

    expect(await countStaleStateValues(test.database, cipher)).toBe(0);
    expect(await rotateStateEncryption(test.database, cipher, { batchSize: 2 })).toEqual({ rewritten: 0, skipped: 0 });
  });

  it('rotate with only old keys listed decrypts every value back to plain JSON', async () => {
    await writeEverywhere(new StateValueCipher(KEY_A));
    const report = await rotateStateEncryption(test.database, new StateValueCipher(undefined, [KEY_A]), {
      batchSize: 100,
    });
    expect(report.rewritten).toBe(9);
    for (const value of await rawValues()) expect(value).toContain(SECRET);
    expect((await backendWith(PLAINTEXT_CIPHER).get(TASK, 'job'))?.value).toEqual({ token: SECRET });
  });

  it('stores an offload envelope as is, so garbage collection still finds the objects rows name', async () => {
    const cipher = new StateValueCipher(KEY_A);
    await backendWith(cipher).set(TASK, 'big', { __tidemark_ref__: 'sha256-abc' });
    expect(await rawValues()).toContain('{"__tidemark_ref__":"sha256-abc"}');
    await backendWith(cipher).set(TASK, 'lookalike', { __tidemark_ref__: 'x', secret: SECRET });
    expect(await dumpText()).not.toContain(SECRET);
  });
});
