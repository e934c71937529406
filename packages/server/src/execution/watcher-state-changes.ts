import {
  type AssetScope,
  encodeStateValue,
  InvalidStateValueError,
  type StateBackend,
  StateConflictError,
  type StateValue,
  type StateWriter,
  validateStateKey,
  type WatcherStateChange,
} from '@tidemark/core';
import type { Db, MetastoreStateBackend } from '@tidemark/db';
import { ForbiddenError } from '../errors.ts';

/**
 * The state changes a watcher's poll commits with its events (SPEC §15.3), on its own asset. With
 * the metastore backend they are written inside the poll's transaction (`applyWithin`), so events
 * and state commit together or not at all. A custom `state.backend` lives outside that
 * transaction: its changes are applied first (`applyThrough`) and the events recorded after, so
 * the one-transaction guarantee needs the default backend.
 */

/** The new version of each changed key: 0 for a delete, or an advance that did not move. */
export interface AppliedChange {
  readonly key: string;
  readonly version: number;
}

/**
 * Checks what needs no database, before anything is read or written: each change names the
 * watcher's own asset (else 403), has a valid key, a value when it sets or advances (none when it
 * deletes), within `state.max_value_bytes` (413).
 */
export function checkStateChanges(
  changes: readonly WatcherStateChange[],
  watcher: { readonly name: string; readonly assetName: string },
  maxValueBytes: number,
): void {
  for (const change of changes) {
    if (change.asset !== undefined && change.asset !== watcher.assetName) {
      throw new ForbiddenError(
        `watcher "${watcher.name}" may change the state of its own asset "${watcher.assetName}" only, ` +
          `not of asset "${change.asset.slice(0, 200)}"`,
      );
    }
    validateStateKey(change.key);
    if (change.operation === 'delete') {
      if (change.value !== undefined) {
        throw new InvalidStateValueError(`state change of key "${change.key}": a delete takes no value`);
      }
    } else {
      if (change.value === undefined) {
        throw new InvalidStateValueError(`state change of key "${change.key}": a ${change.operation} needs a value`);
      }
      encodeStateValue(change.value, maxValueBytes);
    }
  }
}

/** In the caller's transaction, through the metastore backend's in-transaction writes. */
export async function applyWithin(
  backend: MetastoreStateBackend,
  trx: Db,
  scope: AssetScope,
  changes: readonly WatcherStateChange[],
  writer: StateWriter,
): Promise<AppliedChange[]> {
  const applied: AppliedChange[] = [];
  for (const change of changes) {
    const options = { writer, ...(change.if_version === undefined ? {} : { ifVersion: change.if_version }) };
    switch (change.operation) {
      case 'set': {
        const entry = await backend.setWithin(trx, scope, change.key, change.value as StateValue, options);
        applied.push({ key: change.key, version: entry.version });
        break;
      }
      case 'delete':
        await backend.deleteWithin(trx, scope, change.key, options);
        applied.push({ key: change.key, version: 0 });
        break;
      case 'advance': {
        const result = await backend.advanceWithin(trx, scope, change.key, change.value as StateValue, options);
        applied.push({ key: change.key, version: result.advanced ? result.version : 0 });
        break;
      }
    }
  }
  return applied;
}

/**
 * Through any backend, one call per change. Every `if_version` is checked first, so that a stale
 * read usually changes nothing; a write racing between the check and the changes can still leave
 * the earlier changes applied (use the metastore backend for all-or-nothing).
 */
export async function applyThrough(
  backend: StateBackend,
  scope: AssetScope,
  changes: readonly WatcherStateChange[],
  writer: StateWriter,
): Promise<AppliedChange[]> {
  await checkVersions(backend, scope, changes);
  const applied: AppliedChange[] = [];
  for (const change of changes) {
    const ifVersion = change.if_version === undefined ? {} : { ifVersion: change.if_version };
    switch (change.operation) {
      case 'set': {
        const entry = await backend.set(scope, change.key, change.value as StateValue, { writer, ...ifVersion });
        applied.push({ key: change.key, version: entry.version });
        break;
      }
      case 'delete':
        await backend.delete(scope, change.key, { writer, ...ifVersion });
        applied.push({ key: change.key, version: 0 });
        break;
      case 'advance': {
        if (change.if_version !== undefined) await checkVersions(backend, scope, [change]);
        const result = await backend.advance(scope, change.key, change.value as StateValue, { writer });
        applied.push({ key: change.key, version: result.advanced ? result.version : 0 });
        break;
      }
    }
  }
  return applied;
}

/** The first version of each key a change names with `if_version` must match what is stored now. */
async function checkVersions(
  backend: StateBackend,
  scope: AssetScope,
  changes: readonly WatcherStateChange[],
): Promise<void> {
  const checked = new Set<string>();
  for (const change of changes) {
    if (change.if_version === undefined || checked.has(change.key)) continue;
    checked.add(change.key);
    const current = (await backend.get(scope, change.key))?.version ?? 0;
    if (current !== change.if_version) throw new StateConflictError(change.key, change.if_version, current);
  }
}
