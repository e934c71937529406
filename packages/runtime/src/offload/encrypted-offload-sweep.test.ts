import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { offloadRef, taskScope } from '@tidemark/core';
import {
  createDagRun,
  MetastoreStateBackend,
  offloadOrphanSweep,
  registerDag,
  StateValueCipher,
  stateKey,
} from '@tidemark/db';
import { eachDialect, openTestDatabaseFor, type TestDatabase } from '@tidemark/db/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FilesystemOffloadStore } from './filesystem-offload-store.ts';

const TASK = taskScope({ dagId: 'd', runId: 'r', taskId: 't', mapIndex: -1 });
const LATER = () => Date.now() + 2 * 3_600_000;

/** SPEC §17 with §9.2: encrypting values must not make garbage collection lose sight of offloaded objects. */
describe.each(eachDialect())('offload orphan sweep with encrypted state values on %s', (dialect) => {
  let test: TestDatabase;
  let folder: string;
  let store: FilesystemOffloadStore;

  beforeEach(async () => {
    test = await openTestDatabaseFor(dialect);
    await registerDag(test.database.db, { dagId: 'd' });
    await createDagRun(test.database.db, { dagId: 'd', runId: 'r' });
    folder = mkdtempSync(join(tmpdir(), 'tidemark-offload-'));
    store = new FilesystemOffloadStore(folder);
  });
  afterEach(async () => {
    await test.destroy();
    rmSync(folder, { recursive: true, force: true });
  });

  it('keeps the objects encrypted rows name (current value and history) and removes only the orphan', async () => {
    const backend = new MetastoreStateBackend(
      test.database,
      { maxValueBytes: 0, historyDepth: 10 },
      new StateValueCipher(stateKey(randomBytes(32).toString('base64'))),
    );
    const payload = (text: string) => Buffer.from(JSON.stringify(text));
    const refOf = (text: string) =>
      offloadRef({ kind: 'task', dagId: 'd', runId: 'r', taskId: 't', mapIndex: -1 }, 'big', payload(text));
    for (const text of ['v1', 'v2', 'orphan']) await store.put(refOf(text), payload(text));
    await backend.set(TASK, 'big', { __tidemark_ref__: refOf('v1') });
    await backend.set(TASK, 'big', { __tidemark_ref__: refOf('v2') });
    await backend.set(TASK, 'small', 'an encrypted neighbour');

    const swept = await offloadOrphanSweep({ database: test.database, store, clock: LATER }).run({
      dryRun: false,
      batchSize: 10,
    });
    expect(swept).toEqual({ removed: 1, items: [refOf('orphan')] });
    expect((await backend.get(TASK, 'big'))?.value).toEqual({ __tidemark_ref__: refOf('v2') });
  });
});
