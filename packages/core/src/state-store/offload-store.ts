import { createHash } from 'node:crypto';

/**
 * SPEC §9.2: where values above `state.offload.threshold_bytes` live. The database keeps only an
 * envelope `{"__tidemark_ref__": "<ref>"}`; the payload (the value's UTF-8 JSON) is stored under
 * the ref. Workers write and read it; garbage collection lists it to find objects no row names.
 */
export interface OffloadStore {
  /**
   * Stores the payload under `ref`, replacing any there (refs are content-addressed, so that is the
   * same bytes). A reader never sees half a payload. Even then, `modifiedAt` must become now: a
   * row is about to name the object, and the orphan sweep spares only young objects.
   */
  put(ref: string, payload: Uint8Array | AsyncIterable<Uint8Array>): Promise<void>;
  /** The payload as a stream of bytes; `undefined` when there is no object under `ref`. */
  get(ref: string): Promise<AsyncIterable<Uint8Array> | undefined>;
  /** Idempotent. */
  delete(ref: string): Promise<void>;
  /** Every object whose ref starts with `prefix` (all when omitted), in no particular order. */
  list(prefix?: string): AsyncIterable<OffloadObject>;
  /**
   * Optional: whether the store is usable (reachable, allowed); throws an error that names the
   * fix. A worker calls it once at start and warns; it starts either way.
   */
  check?(): Promise<void>;
}

export interface OffloadObject {
  readonly ref: string;
  /** Epoch ms of the last write; garbage collection spares objects younger than its grace period. */
  readonly modifiedAt: number;
}

/**
 * What a module named by `state.offload.backend` exports as `createOffloadStore` (or as its
 * default export). `filesystem` is built in.
 */
export type OffloadStoreFactory = (context: {
  /** The worker's parsed configuration. */
  readonly config: unknown;
}) => OffloadStore | Promise<OffloadStore>;

export const OFFLOAD_REF_FIELD = '__tidemark_ref__';

export type OffloadEnvelope = { readonly [OFFLOAD_REF_FIELD]: string };

export function offloadEnvelope(ref: string): OffloadEnvelope {
  return { [OFFLOAD_REF_FIELD]: ref };
}

/** The ref of an envelope: an object whose only field is `__tidemark_ref__`, a string. */
export function offloadRefOf(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const keys = Object.keys(value);
  if (keys.length !== 1 || keys[0] !== OFFLOAD_REF_FIELD) return undefined;
  const ref = (value as Record<string, unknown>)[OFFLOAD_REF_FIELD];
  return typeof ref === 'string' ? ref : undefined;
}

/** The JSON text of an envelope as the database stores it (what garbage collection looks for). */
export function offloadEnvelopeJson(ref: string): string {
  return JSON.stringify(offloadEnvelope(ref));
}

/**
 * Where a worker's state lives, as a worker names it: its TI's task state (by item key for an
 * item-keyed mapped task, SPEC §17), an asset by name or by uri (workers do not know asset ids), or
 * its DAG. The same asset named both ways gives two prefixes; reads follow the envelope, so either
 * works, and what a clear under the other name leaves behind is garbage collected.
 */
export type OffloadScope =
  | {
      readonly kind: 'task';
      readonly dagId: string;
      readonly runId: string;
      readonly taskId: string;
      readonly mapIndex: number;
      /** Set: the scope is the item's, not the map index's. */
      readonly itemKey?: string;
    }
  | { readonly kind: 'asset'; readonly name: string }
  | { readonly kind: 'asset'; readonly uri: string }
  | { readonly kind: 'dag'; readonly dagId: string };

/** `task/…/`, `asset/…/` or `dag/…/` (a sha256 of the scope): every ref of that scope starts so. */
export function offloadScopePrefix(scope: OffloadScope): string {
  if (scope.kind === 'task') {
    const where =
      scope.itemKey === undefined
        ? [scope.dagId, scope.runId, scope.taskId, scope.mapIndex]
        : [scope.dagId, scope.runId, scope.taskId, 'item', scope.itemKey];
    return `task/${sha256(where)}/`;
  }
  if (scope.kind === 'dag') return `dag/${sha256(['dag', scope.dagId])}/`;
  return `asset/${sha256('name' in scope ? ['name', scope.name] : ['uri', scope.uri])}/`;
}

/**
 * `<scope prefix><sha256 of key>/`: every ref of the key starts so, whatever its value. A delete
 * removes the key's objects by this prefix.
 */
export function offloadKeyPrefix(scope: OffloadScope, key: string): string {
  return `${offloadScopePrefix(scope)}${sha256(key)}/`;
}

/**
 * Content-addressed (SPEC §9.2, refined): `<key prefix><sha256 of the payload bytes>`. The same
 * scope, key and value always give the same ref, and a different value a different one. So a
 * write never replaces the object a stored row points to: a write that then loses (a compare-and-set
 * conflict, a fenced attempt, a staged write that is dropped) leaves the live payload intact, and
 * every version in the history keeps naming its own payload.
 */
export function offloadRef(scope: OffloadScope, key: string, payload: Uint8Array): string {
  return `${offloadKeyPrefix(scope, key)}${createHash('sha256').update(payload).digest('hex')}`;
}

/** A ref as offloadRef makes them: safe as a relative file path or object-store key. */
export const OFFLOAD_REF_PATTERN = /^(task|asset|dag)\/[0-9a-f]{64}\/[0-9a-f]{64}\/[0-9a-f]{64}$/;

function sha256(value: unknown): string {
  return createHash('sha256')
    .update(typeof value === 'string' ? value : JSON.stringify(value))
    .digest('hex');
}
