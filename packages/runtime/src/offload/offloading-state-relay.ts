import {
  type JsonValue,
  type OffloadScope,
  offloadEnvelope,
  offloadKeyPrefix,
  offloadRef,
  offloadRefOf,
  offloadScopePrefix,
  type StateMethod,
  type StateRequestParams,
  type StateTarget,
} from '@tidemark/core';
import { OffloadedPayloadMissingError } from '../errors.ts';
import type { StateOffload } from './create-offload-store.ts';

/** Relays a state request to the execution API (the database rows), with the supervisor's retries. */
export type StateRowRelay = (method: StateMethod, params: StateRequestParams) => Promise<JsonValue>;

/** The TI an attempt runs: its task state's scope. */
export interface OffloadTaskInstance {
  readonly dagId: string;
  readonly runId: string;
  readonly taskId: string;
  readonly mapIndex: number;
}

interface RowEntry {
  readonly value: JsonValue;
  readonly version: number;
  readonly expires_at: string | null;
}

/**
 * SPEC §9.2 in the supervisor: a `set` whose JSON is longer than the threshold stores the payload
 * in the offload store first, then the row with `{"__tidemark_ref__": "<ref>"}`; a `get` of such a
 * row streams the payload back; `delete` removes the row, then every object of the key; `clear`
 * removes the rows, then every object of the scope. `keys` and `advance` go to the rows as they
 * are (advance compares values on the server, so it never offloads; a large candidate meets the
 * inline limit).
 *
 * Refs are content-addressed (offloadRef), so a put never replaces the object a stored row points
 * to. A write the server then refuses (compare-and-set conflict, fenced attempt) or a staged write
 * that is dropped leaves only an object no row names, which the orphan sweep removes. It is not
 * deleted here: the same payload may be the one a live row or a history version names.
 */
export class OffloadingStateRelay {
  readonly #offload: StateOffload;
  readonly #ti: OffloadTaskInstance;

  constructor(offload: StateOffload, ti: OffloadTaskInstance) {
    this.#offload = offload;
    this.#ti = ti;
  }

  relay(method: StateMethod, params: StateRequestParams, rows: StateRowRelay): Promise<JsonValue> {
    switch (method) {
      case 'set':
        return this.#set(params, rows);
      case 'get':
        return this.#get(params, rows);
      case 'delete':
        return this.#delete(params, rows);
      case 'clear':
        return this.#clear(params, rows);
      default:
        return rows(method, params);
    }
  }

  async #set(params: StateRequestParams, rows: StateRowRelay): Promise<JsonValue> {
    const { key, value } = params;
    if (key === undefined || value === undefined || value === null) return rows('set', params);
    const json = JSON.stringify(value);
    // A small value that looks like an envelope is offloaded too, so every envelope in a row is one of ours.
    if (!this.#isLarge(json) && offloadRefOf(value) === undefined) return rows('set', params);
    const payload = Buffer.from(json, 'utf8');
    const ref = offloadRef(this.#scopeOf(params.target), key, payload);
    await this.#offload.store.put(ref, payload);
    return rows('set', { ...params, value: offloadEnvelope(ref) });
  }

  async #get(params: StateRequestParams, rows: StateRowRelay): Promise<JsonValue> {
    const entry = (await rows('get', params)) as RowEntry | null;
    const ref = entry === null ? undefined : offloadRefOf(entry.value);
    if (entry === null || ref === undefined) return entry as JsonValue;
    return { ...entry, value: await this.#readPayload(params.key ?? '', ref) } as JsonValue;
  }

  async #delete(params: StateRequestParams, rows: StateRowRelay): Promise<JsonValue> {
    const { key } = params;
    if (key === undefined) return rows('delete', params);
    const result = await rows('delete', params);
    await this.#deleteObjectsUnder(offloadKeyPrefix(this.#scopeOf(params.target), key));
    return result;
  }

  async #clear(params: StateRequestParams, rows: StateRowRelay): Promise<JsonValue> {
    const result = await rows('clear', params);
    await this.#deleteObjectsUnder(offloadScopePrefix(this.#scopeOf(params.target)));
    return result;
  }

  async #deleteObjectsUnder(prefix: string): Promise<void> {
    const { store } = this.#offload;
    for await (const object of store.list(prefix)) await store.delete(object.ref);
  }

  async #readPayload(key: string, ref: string): Promise<JsonValue> {
    const stream = await this.#offload.store.get(ref);
    if (!stream) throw new OffloadedPayloadMissingError(key, ref);
    const chunks: Uint8Array[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as JsonValue;
  }

  #isLarge(json: string): boolean {
    const threshold = this.#offload.thresholdBytes;
    if (json.length > threshold) return true; // every UTF-16 code unit is at least one UTF-8 byte
    if (json.length * 3 <= threshold) return false; // and at most three
    return Buffer.byteLength(json, 'utf8') > threshold;
  }

  #scopeOf(target: StateTarget): OffloadScope {
    if (target.kind === 'task') {
      return target.itemKey === undefined
        ? { kind: 'task', ...this.#ti }
        : { kind: 'task', ...this.#ti, itemKey: target.itemKey };
    }
    if (target.kind === 'dag') return { kind: 'dag', dagId: target.dagId };
    return 'name' in target ? { kind: 'asset', name: target.name } : { kind: 'asset', uri: target.uri };
  }
}
