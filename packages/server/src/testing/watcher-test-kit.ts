import type { SerializedDag } from '@tidemark/core';
import { activateAsset, type Db, syncAssetWatchers, syncDagScheduleAssets, upsertSerializedDag } from '@tidemark/db';
import { serializedTask } from '@tidemark/db/testing';
import { issueTriggererToken } from '../execution/attempt-token.ts';
import { SECRET_KEY, T0 } from './execution-harness.ts';

/**
 * For watcher tests (execution routes, public routes, CLI): the DAGs as the DAG processor would
 * store them — `ingest` declares watchers `new_files` (every 2 s) and `slow` (every 60 s) on asset
 * `landing`, `load_landing` is scheduled on `landing` — and triggerer tokens.
 */

export const LANDING = { name: 'landing', uri: 'file:///landing' } as const;

export const INGEST_DAG: SerializedDag = {
  dagId: 'ingest',
  fileloc: 'ingest.ts',
  schedule: null,
  startDate: null,
  catchup: false,
  description: null,
  tags: [],
  tasks: [serializedTask('noop')],
  watchers: [
    { name: 'new_files', asset: LANDING, everyMs: 2_000 },
    { name: 'slow', asset: LANDING, everyMs: 60_000 },
  ],
};

export const LOAD_LANDING_DAG: SerializedDag = {
  dagId: 'load_landing',
  fileloc: 'load-landing.ts',
  schedule: null,
  assetCondition: { kind: 'asset', ...LANDING },
  startDate: null,
  catchup: false,
  description: null,
  tags: [],
  tasks: [serializedTask('load', { inlets: [LANDING] })],
};

export interface SeededWatchers {
  readonly assetId: number;
  /** By watcher name. */
  readonly ids: Readonly<Record<'new_files' | 'slow', number>>;
}

/** Stores both DAGs, the asset, the consumer's schedule and the watchers, at `now`. */
export async function seedWatchers(db: Db, now = T0): Promise<SeededWatchers> {
  await upsertSerializedDag(db, INGEST_DAG, now);
  await upsertSerializedDag(db, LOAD_LANDING_DAG, now);
  const assetId = await activateAsset(db, LANDING, now);
  await syncDagScheduleAssets(db, new Map([[LOAD_LANDING_DAG.dagId, [LANDING]]]));
  await syncAssetWatchers(
    db,
    (INGEST_DAG.watchers ?? []).map((watcher) => ({
      assetId,
      name: watcher.name,
      dagId: INGEST_DAG.dagId,
      fileloc: INGEST_DAG.fileloc,
      everyMs: watcher.everyMs,
    })),
    now,
  );
  const rows = await db.selectFrom('asset_watcher').select(['id', 'name']).execute();
  const idOf = (name: string) => Number(rows.find((row) => row.name === name)?.id);
  return { assetId, ids: { new_files: idOf('new_files'), slow: idOf('slow') } };
}

/** A triggerer token for `triggererId`, valid an hour from T0. */
export function triggererToken(triggererId: string): string {
  return issueTriggererToken(SECRET_KEY, triggererId, 3_600_000, T0);
}
