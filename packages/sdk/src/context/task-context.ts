import type { AssetReference, AttemptSpec, JsonValue, TriggeringAssetEvent } from '@tidemark/core/task-process';
import type { Wait } from '../dag/wait.ts';
import type { SupervisorRequester } from '../runner/supervisor-channel.ts';
import { type AssetStateAccessor, createAssetStateAccessor } from './asset-state-accessor.ts';
import { createDagStateAccessor, type DagStateAccessor } from './dag-state-accessor.ts';
import { createOutletEvents, type OutletEventAccessor, type OutletEvents } from './outlet-events.ts';
import { type DeferOptions, TaskDeferral } from './task-deferral.ts';
import { createTaskLogger, type TaskLogger } from './task-logger.ts';
import { bindTaskMetrics } from './task-metrics.ts';
import { createTaskStateAccessor, type TaskStateAccessor } from './task-state-accessor.ts';
import { createXComAccessor, type XComAccessor } from './xcom-accessor.ts';

/** What a task function receives: who it is, what the run was given, and its ways to the supervisor. */
export interface TaskContext {
  readonly dagId: string;
  readonly runId: string;
  readonly taskId: string;
  /** -1 when the task is not mapped. */
  readonly mapIndex: number;
  /** 1-based; grows with every retry. */
  readonly tryNumber: number;
  readonly maxTries: number;
  /** The configuration the run was triggered with. */
  readonly conf: Readonly<Record<string, JsonValue>>;
  /** The data interval's date for scheduled runs; null when the run has none. */
  readonly logicalDate: Date | null;
  /** Aborted when the supervisor stops the process (execution timeout or kill); `signal.reason` says why. */
  readonly signal: AbortSignal;
  readonly xcom: XComAccessor;
  readonly log: TaskLogger;
  /** State of this task instance that survives its retries [Airflow: `task_state_store`]. */
  readonly taskState: TaskStateAccessor;
  /** State of the task's inlets and outlets [Airflow: `asset_state_store`]. */
  readonly assetState: AssetStateAccessor;
  /** State of the task's DAG, shared by all its runs and tasks; never expires unless given a retention. */
  readonly dagState: DagStateAccessor;
  /** For a run triggered by asset events: those events, oldest first; else empty. */
  readonly triggeringAssetEvents: readonly TriggeringAssetEvent[];
  /** The events the task's outlets emit when it succeeds: `ctx.outletEvents.of(asset).extra = {…}`. */
  readonly outletEvents: OutletEventAccessor;
  /**
   * Ends the attempt as deferred (SPEC §16): the attempt ends and frees its worker slot while a
   * triggerer runs `wait` (`timer(…)` or `dag.waitFor(name, args)`). When it fires, the task
   * function runs again, same try number, with `ctx.resumedWith` set. Keep what it needs across in
   * `ctx.taskState`. With `timeout`, the try fails (retry policy applies) if the wait has not fired.
   */
  defer(wait: Wait, options?: DeferOptions): Promise<never>;
  /**
   * Set when this run of the task function resumes a deferral: the wait's event (`{ kind: 'timer' }`,
   * or what the poll returned); undefined on a fresh try.
   */
  readonly resumedWith: JsonValue | undefined;
  /**
   * The W3C `traceparent` of this attempt's span when the worker traces (`tracing.otlp_endpoint`),
   * for passing the trace on to an external system; undefined otherwise.
   */
  readonly traceParent: string | undefined;
}

/** The context and what the runner reads back from it when the task function returns. */
export interface TaskContextHandle {
  readonly context: TaskContext;
  readonly outletEvents: OutletEvents;
  readonly deferral: TaskDeferral;
}

export function createTaskContext(
  attempt: AttemptSpec,
  supervisor: SupervisorRequester,
  signal: AbortSignal,
  /** The task's inlets and outlets, each once (declaredAssetsOf). */
  declaredAssets: readonly AssetReference[] = [],
  outlets: readonly AssetReference[] = [],
  /** SPEC §17: what the task's `stateKey` returned for this TI's item; task state is then the item's. */
  stateItemKey?: string,
): TaskContextHandle {
  const outletEvents = createOutletEvents(outlets);
  const deferral = new TaskDeferral();
  const context: TaskContext = Object.freeze({
    dagId: attempt.dagId,
    runId: attempt.runId,
    taskId: attempt.taskId,
    mapIndex: attempt.mapIndex,
    tryNumber: attempt.tryNumber,
    maxTries: attempt.maxTries,
    conf: Object.freeze({ ...attempt.conf }),
    logicalDate: attempt.logicalDate === null ? null : new Date(attempt.logicalDate),
    signal,
    xcom: createXComAccessor(attempt.dagId, supervisor),
    log: createTaskLogger(supervisor),
    taskState: createTaskStateAccessor(supervisor, attempt.tryNumber, [], stateItemKey),
    assetState: createAssetStateAccessor(supervisor, attempt.tryNumber, declaredAssets),
    dagState: createDagStateAccessor(supervisor, attempt.dagId, attempt.tryNumber),
    triggeringAssetEvents: Object.freeze([...(attempt.triggeringAssetEvents ?? [])]),
    outletEvents: { of: (asset: AssetReference) => outletEvents.of(asset) },
    defer: deferral.defer,
    resumedWith: attempt.resumedWith,
    traceParent: attempt.traceParent,
  });
  bindTaskMetrics(context, (event) => supervisor.metric?.(event));
  return { context, outletEvents, deferral };
}
