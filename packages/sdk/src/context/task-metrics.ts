import type { TaskMetricEvent } from '@tidemark/core/task-process';
import type { TaskContext } from './task-context.ts';

/**
 * The pattern helpers' metrics (resumable decisions, checkpoint writes) travel to the supervisor as
 * IPC messages, which the worker counts. A context made by the task runner has a sender; one built
 * by hand in a test has none, and counting is then a no-op.
 */
const SENDERS = new WeakMap<TaskContext, (event: TaskMetricEvent) => void>();

export function bindTaskMetrics(context: TaskContext, send: (event: TaskMetricEvent) => void): void {
  SENDERS.set(context, send);
}

export function countTaskMetric(context: TaskContext, event: TaskMetricEvent): void {
  SENDERS.get(context)?.(event);
}
