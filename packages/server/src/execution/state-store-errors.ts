import { TidemarkError } from '@tidemark/core';

/** 404 `state_not_found`: the key is missing, or past its `expires_at`. */
export class StateNotFoundError extends TidemarkError {
  constructor(key: string, where: string) {
    super('state_not_found', `no state key "${key}" in ${where} (it was never set, was deleted, or has expired)`, {
      key,
    });
  }
}

/** 403 `undeclared_asset`: a task may touch only the assets it declares as inlets or outlets (SPEC §4). */
export class UndeclaredAssetError extends TidemarkError {
  constructor(taskId: string, asset: string, declared: readonly string[]) {
    super(
      'undeclared_asset',
      `task "${taskId}" does not declare asset ${asset} as an inlet or outlet, so it may not use its state; ` +
        (declared.length === 0
          ? 'the task declares no assets'
          : `it declares: ${declared.map((name) => `"${name}"`).join(', ')}`),
      { task_id: taskId, declared_assets: [...declared] },
    );
  }
}
