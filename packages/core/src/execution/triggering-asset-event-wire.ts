import type { TriggeringAssetEvent } from '../dag/asset-event.ts';
import type { TriggeringAssetEventWire } from './execution-api-contract.ts';

/** The execution API's snake_case form of a triggering event (claim responses). */
export function triggeringAssetEventToWire(event: TriggeringAssetEvent): TriggeringAssetEventWire {
  const common = {
    id: event.id,
    asset_name: event.asset.name,
    asset_uri: event.asset.uri,
    extra: { ...event.extra },
    timestamp: event.timestamp,
  };
  const { source } = event;
  switch (source.kind) {
    case 'task':
      return {
        ...common,
        source_kind: 'task',
        source_dag_id: source.dagId,
        source_run_id: source.runId,
        source_task_id: source.taskId,
        source_map_index: source.mapIndex,
        source_try_number: source.tryNumber,
      };
    case 'api':
      return { ...common, source_kind: 'api', source_user: source.user };
    case 'watcher':
      return { ...common, source_kind: 'watcher', source_watcher: source.watcher };
  }
}

/** Back from the wire, for the task's context. */
export function triggeringAssetEventFromWire(wire: TriggeringAssetEventWire): TriggeringAssetEvent {
  const common = {
    id: wire.id,
    asset: { name: wire.asset_name, uri: wire.asset_uri },
    extra: wire.extra,
    timestamp: wire.timestamp,
  };
  switch (wire.source_kind) {
    case 'api':
      return { ...common, source: { kind: 'api', user: wire.source_user ?? '' } };
    case 'watcher':
      return { ...common, source: { kind: 'watcher', watcher: wire.source_watcher ?? '' } };
    case 'task':
      return {
        ...common,
        source: {
          kind: 'task',
          dagId: wire.source_dag_id ?? '',
          runId: wire.source_run_id ?? '',
          taskId: wire.source_task_id ?? '',
          mapIndex: wire.source_map_index ?? -1,
          tryNumber: wire.source_try_number ?? null,
        },
      };
  }
}
