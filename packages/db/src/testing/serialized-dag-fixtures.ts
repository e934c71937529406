import type { SerializedTask } from '@tidemark/core';

/** A serialized task with no upstream, no retries, no timeout and no assets, unless `policy` says otherwise. */
export function serializedTask(taskId: string, policy: Partial<SerializedTask> = {}): SerializedTask {
  return {
    taskId,
    upstreamTaskIds: [],
    mapOver: null,
    retries: 0,
    retryDelayMs: 0,
    retryExponentialBackoff: false,
    maxRetryDelayMs: null,
    executionTimeoutMs: null,
    inlets: [],
    outlets: [],
    ...policy,
  };
}
