/**
 * Where a state key lives. Task state belongs to one TI (all its tries): `try_number` and the TI's
 * id are deliberately not part of the scope, so state survives retries. Asset state belongs to one
 * asset, addressed on the server by its id (workers name assets by name or uri; the execution API
 * resolves them to the id of the active asset). DAG state (SPEC §17) belongs to one DAG, shared by
 * all its runs and tasks.
 */
export interface TaskScope {
  readonly kind: 'task';
  readonly dagId: string;
  readonly runId: string;
  readonly taskId: string;
  /** `-1` for a task that is not mapped. Not part of the scope when `itemKey` is set. */
  readonly mapIndex: number;
  /**
   * SPEC §17 item-keyed mapped state: the key `stateKey(item)` gave the TI's element of the
   * upstream list. Set, the scope is `(dag_id, run_id, task_id, item key)` whatever the map index,
   * so state follows the item when the list is expanded again in another order.
   */
  readonly itemKey?: string;
}

export interface AssetScope {
  readonly kind: 'asset';
  readonly assetId: number;
}

export interface DagScope {
  readonly kind: 'dag';
  readonly dagId: string;
}

export type StateScope = TaskScope | AssetScope | DagScope;

export const UNMAPPED = -1;

export function taskScope(fields: {
  dagId: string;
  runId: string;
  taskId: string;
  mapIndex?: number;
  itemKey?: string | undefined;
}): TaskScope {
  const scope = {
    kind: 'task' as const,
    dagId: fields.dagId,
    runId: fields.runId,
    taskId: fields.taskId,
    mapIndex: fields.mapIndex ?? UNMAPPED,
  };
  return fields.itemKey === undefined ? scope : { ...scope, itemKey: fields.itemKey };
}

export function assetScope(assetId: number): AssetScope {
  return { kind: 'asset', assetId };
}

export function dagScope(dagId: string): DagScope {
  return { kind: 'dag', dagId };
}

export function describeScope(scope: StateScope): string {
  if (scope.kind === 'asset') return `asset ${scope.assetId}`;
  if (scope.kind === 'dag') return `DAG ${scope.dagId}`;
  const mapped =
    scope.itemKey !== undefined
      ? `{${JSON.stringify(scope.itemKey)}}`
      : scope.mapIndex === UNMAPPED
        ? ''
        : `[${scope.mapIndex}]`;
  return `task ${scope.dagId}/${scope.runId}/${scope.taskId}${mapped}`;
}
