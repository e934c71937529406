/**
 * Where a state key lives. Task state belongs to one TI (all its tries): `try_number` and the TI's
 * id are deliberately not part of the scope, so state survives retries. Asset state belongs to one
 * asset, addressed on the server by its id (workers name assets by name or uri; the execution API
 * resolves them to the id of the active asset).
 */
export interface TaskScope {
  readonly kind: 'task';
  readonly dagId: string;
  readonly runId: string;
  readonly taskId: string;
  /** `-1` for a task that is not mapped. */
  readonly mapIndex: number;
}

export interface AssetScope {
  readonly kind: 'asset';
  readonly assetId: number;
}

export type StateScope = TaskScope | AssetScope;

export const UNMAPPED = -1;

export function taskScope(fields: { dagId: string; runId: string; taskId: string; mapIndex?: number }): TaskScope {
  return {
    kind: 'task',
    dagId: fields.dagId,
    runId: fields.runId,
    taskId: fields.taskId,
    mapIndex: fields.mapIndex ?? UNMAPPED,
  };
}

export function assetScope(assetId: number): AssetScope {
  return { kind: 'asset', assetId };
}

export function describeScope(scope: StateScope): string {
  if (scope.kind === 'asset') return `asset ${scope.assetId}`;
  const mapped = scope.mapIndex === UNMAPPED ? '' : `[${scope.mapIndex}]`;
  return `task ${scope.dagId}/${scope.runId}/${scope.taskId}${mapped}`;
}
