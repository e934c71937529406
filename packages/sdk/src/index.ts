import { fileURLToPath } from 'node:url';

// What task authors import: DAG and task definitions, the TaskContext their functions receive, and
// the errors a task may throw or see. The runtime also takes the task process entry from here.
export {
  type AssetEventSource,
  type JsonValue,
  StaleAttemptError,
  StateConflictError,
  type StateValue,
  TidemarkError,
  type TriggeringAssetEvent,
  ValueTooLargeError,
} from '@tidemark/core/task-process';
export type {
  AssetStateAccessor,
  AssetStateAdvanceOptions,
  AssetStateSetOptions,
  AssetStateStore,
  AssetStateUpdateOptions,
} from './context/asset-state-accessor.ts';
export type { DagStateAccessor } from './context/dag-state-accessor.ts';
export type { OutletEvent, OutletEventAccessor } from './context/outlet-events.ts';
export {
  type AdvanceResult,
  NEVER_EXPIRE,
  type StagedWriteResult,
  type StateDeleteOptions,
  type StateEntry,
  type StateKeyInfo,
  type StateRetention,
  type StateUpdater,
  type StateWriteResult,
} from './context/state-accessor-core.ts';
export type { TaskContext } from './context/task-context.ts';
export type { DeferOptions } from './context/task-deferral.ts';
export type { LogFields, LogMethod, TaskLogger } from './context/task-logger.ts';
export type {
  TaskStateAccessor,
  TaskStateSetOptions,
  TaskStateUpdateOptions,
} from './context/task-state-accessor.ts';
export type { WatcherAssetState } from './context/watcher-asset-state.ts';
export type {
  WatcherContext,
  WatcherEvent,
  WatcherEvents,
  WatcherFunction,
  WatcherYield,
} from './context/watcher-context.ts';
export type { XComAccessor, XComPullOptions } from './context/xcom-accessor.ts';
export { type Asset, type AssetOptions, asset } from './dag/asset.ts';
export { type AssetScheduleCondition, allOf, anyOf, type DagSchedule } from './dag/asset-schedule.ts';
export type { CallSite } from './dag/call-site.ts';
export { DAG_MARKER, Dag, type DagOptions, type DagWatcher, dag, isDag, type PollRef } from './dag/dag.ts';
export type { Duration } from './dag/duration-option.ts';
export type { PollContext, PollDefinition, PollFunction, PollOptions } from './dag/poll.ts';
export { SCHEDULE_PRESETS } from './dag/schedule.ts';
export type {
  MappedTaskFunction,
  MappedTaskOptions,
  TaskDefinition,
  TaskFunction,
  TaskOptions,
} from './dag/task-definition.ts';
export type { TaskPolicy, TaskPolicyOptions } from './dag/task-policy.ts';
export type { AnyTaskRef, MappedTaskRef, TaskRef, TaskRefs } from './dag/task-ref.ts';
export { isWait, timer, type Wait } from './dag/wait.ts';
export { MIN_WATCHER_EVERY_MS, type Watcher, type WatcherOptions, watcher } from './dag/watcher.ts';
export {
  DagDefinitionError,
  ExternalJobFailedError,
  FailTask,
  InvalidWaitError,
  PatternOptionError,
  SkipTask,
  TaskDeferred,
  TaskTerminatedError,
  UndeclaredAssetError,
} from './errors.ts';
export {
  type Checkpoint,
  type CheckpointOptions,
  type CheckpointOverOptions,
  checkpoint,
} from './patterns/checkpoint.ts';
export {
  type JobEnd,
  type JobRecord,
  type JobStatus,
  type ResumableDecision,
  type ResumableDeferrable,
  type ResumableOnClear,
  type ResumableOptions,
  type ResumableResult,
  resumable,
  untilJobEnds,
} from './patterns/resumable.ts';
export { type Watermark, type WatermarkOptions, type WatermarkValue, watermark } from './patterns/watermark.ts';

/** How a reused task process versions the DAG files it imported (the worker compares them). */
export { dagFileVersion } from './runner/dag-file-versions.ts';

/** The task process's main module: the supervisor runs `node --import <tsx> TASK_PROCESS_ENTRY`. */
export const TASK_PROCESS_ENTRY: string = fileURLToPath(new URL('./runner/task-process-main.ts', import.meta.url));

/** The watcher process's main module: a triggerer runs `node --import <tsx> WATCHER_PROCESS_ENTRY`. */
export const WATCHER_PROCESS_ENTRY: string = fileURLToPath(
  new URL('./runner/watcher-process-main.ts', import.meta.url),
);
