import { request, segment } from './http.ts';
import { type TaskInstanceAddress, taskInstancePath } from './task-instances-api.ts';
import type { JsonValue, StateEntry, StateExpiry, StateHistoryEntry } from './types.ts';

/** Whose state: one task instance's task state, an asset's asset state, or a DAG's DAG state. */
export type StateOwner =
  | ({ readonly kind: 'task' } & TaskInstanceAddress)
  | { readonly kind: 'asset'; readonly assetId: number }
  | { readonly kind: 'dag'; readonly dagId: string };

function storePath(owner: StateOwner): string {
  if (owner.kind === 'task') return `${taskInstancePath(owner)}/state-store`;
  if (owner.kind === 'dag') return `/api/v2/dags/${segment(owner.dagId)}/state-store`;
  return `/api/v2/assets/${segment(owner.assetId)}/state-store`;
}

/**
 * The browser drops `.` and `..` path segments even percent-encoded, so a key made only of dots
 * goes as the placeholder segment `~` with `?key=` (the public API's STATE_KEY_IN_QUERY, core).
 */
function keyPath(owner: StateOwner, key: string): string {
  return `${storePath(owner)}/${/^\.+$/.test(key) ? '~' : segment(key)}`;
}

function keyQuery(owner: StateOwner, key: string) {
  return /^\.+$/.test(key) ? { ...mapIndexQuery(owner), key } : mapIndexQuery(owner);
}

function mapIndexQuery(owner: StateOwner) {
  return owner.kind === 'task' ? { map_index: owner.mapIndex } : {};
}

export async function listState(owner: StateOwner): Promise<readonly StateEntry[]> {
  const page = await request<{
    task_state_store?: StateEntry[];
    asset_state_store?: StateEntry[];
    dag_state_store?: StateEntry[];
  }>(storePath(owner), {
    query: { ...mapIndexQuery(owner), limit: 1000 },
  });
  return page.task_state_store ?? page.asset_state_store ?? page.dag_state_store ?? [];
}

export interface StateWrite {
  readonly value: JsonValue;
  /**
   * Task state only; `undefined` keeps the current expiry (PATCH). Asset state never expires; a DAG
   * state value written here never expires either.
   */
  readonly expiry?: StateExpiry;
  /** The version the write expects (compare-and-set); 0: only if the key is absent. */
  readonly ifVersion?: number;
}

/** Creates or replaces a value: PUT with the expiry chosen, or PATCH to keep the one it has. */
export function writeState(owner: StateOwner, key: string, write: StateWrite): Promise<StateEntry> {
  const keepExpiry = owner.kind === 'task' && write.expiry === undefined;
  return request(keyPath(owner, key), {
    method: keepExpiry ? 'PATCH' : 'PUT',
    query: keyQuery(owner, key),
    body:
      owner.kind === 'task' && !keepExpiry ? { value: write.value, expires_at: write.expiry } : { value: write.value },
    ...(write.ifVersion === undefined ? {} : { ifMatch: write.ifVersion }),
  });
}

export function deleteState(owner: StateOwner, key: string, ifVersion: number): Promise<void> {
  return request(keyPath(owner, key), { method: 'DELETE', query: keyQuery(owner, key), ifMatch: ifVersion });
}

/** Removes every key of the task instance (its own map index), of the asset or of the DAG. */
export function clearState(owner: StateOwner): Promise<void> {
  return request(storePath(owner), { method: 'DELETE', query: mapIndexQuery(owner) });
}

export async function stateHistory(owner: StateOwner, key: string): Promise<readonly StateHistoryEntry[]> {
  const page = await request<{ history: StateHistoryEntry[] }>(`${keyPath(owner, key)}/history`, {
    query: keyQuery(owner, key),
  });
  return page.history;
}

/** Writes a historical version's value as a new version; `currentVersion` guards it (If-Match). */
export function restoreState(
  owner: StateOwner,
  key: string,
  version: number,
  currentVersion: number,
): Promise<StateEntry> {
  return request(`${keyPath(owner, key)}/history/${version}/restore`, {
    method: 'POST',
    query: keyQuery(owner, key),
    ifMatch: currentVersion,
  });
}
