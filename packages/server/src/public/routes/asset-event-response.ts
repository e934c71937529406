import type { AssetEventResponse } from '@tidemark/core';
import type { AssetEventRecord } from '@tidemark/db';
import { iso } from './dag-route-support.ts';

export function assetEventResponse(event: AssetEventRecord): AssetEventResponse {
  return {
    id: event.id,
    asset_id: event.assetId,
    asset_name: event.assetName,
    asset_uri: event.assetUri,
    source_dag_id: event.sourceDagId,
    source_run_id: event.sourceRunId,
    source_task_id: event.sourceTaskId,
    source_map_index: event.sourceMapIndex,
    source_kind: event.sourceKind,
    source_try_number: event.sourceTryNumber,
    source_user: event.sourceUser,
    source_watcher: event.sourceWatcher,
    extra: event.extra,
    timestamp: iso(event.createdAt),
  };
}
