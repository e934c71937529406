import { type JsonValue, offloadEnvelope, offloadRef, offloadRefOf, type StagedStateChange } from '@tidemark/core';
import { OffloadedPayloadMissingError } from '../errors.ts';
import type { StateOffload } from '../offload/create-offload-store.ts';

/**
 * SPEC §9.2 for watchers, as the worker's supervisor does it for tasks: a value the api-server
 * returns as an offload envelope is read back from the offload store, and a `set` whose JSON is
 * longer than the threshold stores its payload there first and commits the envelope. Refs are
 * content-addressed, so a commit the server refuses leaves only an object no row names (the
 * orphan sweep removes it).
 */
export class WatcherStateOffload {
  readonly #offload: StateOffload;
  readonly #assetName: string;

  constructor(offload: StateOffload, assetName: string) {
    this.#offload = offload;
    this.#assetName = assetName;
  }

  /** The value itself: the payload an envelope points to, or the value as stored. */
  async resolve(key: string, stored: JsonValue): Promise<JsonValue> {
    const ref = offloadRefOf(stored);
    if (ref === undefined) return stored;
    const stream = await this.#offload.store.get(ref);
    if (!stream) throw new OffloadedPayloadMissingError(key, ref);
    const chunks: Uint8Array[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as JsonValue;
  }

  /** The change to commit: a large `set` (or one that looks like an envelope) carries an envelope instead. */
  async prepare(change: StagedStateChange): Promise<StagedStateChange> {
    if (change.operation !== 'set') return change;
    const json = JSON.stringify(change.value);
    if (Buffer.byteLength(json, 'utf8') <= this.#offload.thresholdBytes && offloadRefOf(change.value) === undefined) {
      return change;
    }
    const payload = Buffer.from(json, 'utf8');
    const ref = offloadRef({ kind: 'asset', name: this.#assetName }, change.key, payload);
    await this.#offload.store.put(ref, payload);
    return { ...change, value: offloadEnvelope(ref) as unknown as JsonValue };
  }
}
