import { randomBytes } from 'node:crypto';
import type { StateBackendSettings } from '@tidemark/core';
import { describe } from 'vitest';
import { runStateBackendConformance } from '../conformance/state-backend-conformance.ts';
import { activateAsset, deactivateAsset } from '../repositories/asset-repository.ts';
import { registerDag } from '../repositories/dag-repository.ts';
import { createDagRun, deleteDagRun } from '../repositories/dag-run-repository.ts';
import { eachDialect, openTestDatabaseFor } from '../testing/describe-each-dialect.ts';
import { PLAINTEXT_CIPHER, StateValueCipher, stateKey } from './encryption/state-value-cipher.ts';
import { MetastoreStateBackend } from './metastore-state-backend.ts';

// SPEC §17: the encrypted backend must behave exactly like the plain one.
const ENCRYPTED = new StateValueCipher(stateKey(randomBytes(32).toString('base64')));

describe.each(
  eachDialect().flatMap(
    (dialect) =>
      [
        [dialect, 'plain', PLAINTEXT_CIPHER],
        [dialect, 'encrypted', ENCRYPTED],
      ] as const,
  ),
)('metastore backend on %s, values %s', (dialect, values, cipher) => {
  runStateBackendConformance(`metastore (${dialect}, ${values})`, async (settings) => {
    const test = await openTestDatabaseFor(dialect);
    const { db } = test.database;
    await registerDag(db, { dagId: 'conformance' });
    let runs = 0;
    let assets = 0;
    let dags = 0;
    return {
      backend: new MetastoreStateBackend(test.database, settings, cipher),
      async newRun() {
        const runId = `run-${++runs}`;
        await createDagRun(db, { dagId: 'conformance', runId });
        return { dagId: 'conformance', runId };
      },
      async deleteRun(run) {
        await deleteDagRun(db, run.dagId, run.runId);
      },
      newAsset: () => activateAsset(db, { name: `asset-${++assets}`, uri: `s3://bucket/asset-${assets}` }),
      deactivateAsset: (assetId) => deactivateAsset(db, assetId),
      async newDag() {
        const dagId = `dag-${++dags}`;
        await registerDag(db, { dagId });
        return dagId;
      },
      async deleteDag(dagId) {
        await db.deleteFrom('dag').where('dag_id', '=', dagId).execute();
      },
      withSettings: (changes: Partial<StateBackendSettings>) =>
        new MetastoreStateBackend(test.database, { ...settings, ...changes }, cipher),
      close: () => test.destroy(),
    };
  });
});
