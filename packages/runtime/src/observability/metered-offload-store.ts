import type { OffloadStore } from '@tidemark/core';
import type { StateOffload } from '../offload/create-offload-store.ts';
import type { WorkerMetrics } from './worker-metrics.ts';

/**
 * The worker's offload store with its bytes counted (`tidemark_state_offload_bytes_total`): a
 * wrapper, so no store (filesystem, S3, a custom module) needs to know about metrics.
 */
export function meterStateOffload(offload: StateOffload | undefined, metrics: WorkerMetrics | undefined) {
  if (!offload || !metrics) return offload;
  return { ...offload, store: meteredStore(offload.store, metrics) } satisfies StateOffload;
}

function meteredStore(store: OffloadStore, metrics: WorkerMetrics): OffloadStore {
  return {
    put(ref, payload) {
      if (payload instanceof Uint8Array) {
        return store.put(ref, payload).then(() => metrics.offloadBytes('write', payload.byteLength));
      }
      return store.put(
        ref,
        counted(payload, (bytes) => metrics.offloadBytes('write', bytes)),
      );
    },
    async get(ref) {
      const stream = await store.get(ref);
      return stream && counted(stream, (bytes) => metrics.offloadBytes('read', bytes));
    },
    delete: (ref) => store.delete(ref),
    list: (prefix) => store.list(prefix),
    ...(store.check ? { check: () => (store.check as () => Promise<void>)() } : {}),
  };
}

async function* counted(chunks: AsyncIterable<Uint8Array>, count: (bytes: number) => void): AsyncIterable<Uint8Array> {
  for await (const chunk of chunks) {
    count(chunk.byteLength);
    yield chunk;
  }
}
