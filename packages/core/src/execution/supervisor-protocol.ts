import type { OutletEventExtra, TriggeringAssetEvent } from '../dag/asset-event.ts';
import type { DeferralWait } from '../deferral/deferral-wait.ts';
import type { JsonValue } from '../state-store/state-value-rules.ts';

/**
 * Messages between a worker's supervisor and the task process it spawned (Node IPC, no network).
 * An attempt receives `start`, runs the task function, and ends with one `finished` message.
 * Everything else it needs (XComs, state) it asks the supervisor for with `request`; the supervisor
 * relays it to the execution API. A `start` with `reuse: true` keeps the process for another
 * attempt: after `finished` it cleans up and says `ready`, then waits for the next `start`
 * (`worker.max_attempts_per_process`); without it the process exits after `finished`.
 */

/** What the task process needs to run one attempt. */
export interface AttemptSpec {
  readonly dagId: string;
  readonly runId: string;
  readonly taskId: string;
  readonly mapIndex: number;
  readonly tryNumber: number;
  readonly maxTries: number;
  /** Absolute path of the DAG file to import. */
  readonly dagFile: string;
  readonly conf: Record<string, JsonValue>;
  readonly logicalDate: number | null;
  /** Present for a mapped TI. */
  readonly mapItem?: JsonValue;
  /** For an asset-triggered run: the events that triggered it. */
  readonly triggeringAssetEvents?: readonly TriggeringAssetEvent[];
  /** Present when this try resumes after a deferral (SPEC §16): the event its wait fired with. */
  readonly resumedWith?: JsonValue;
  /**
   * W3C `traceparent` of the supervisor's attempt span when tracing is on: the trace travels as plain
   * ids, so the task process never loads an OpenTelemetry SDK (`ctx.traceParent`).
   */
  readonly traceParent?: string;
}

export type SupervisorToTask =
  | {
      readonly type: 'start';
      readonly attempt: AttemptSpec;
      /** Stay for another attempt after this one (say `ready`, wait for `start`); absent: exit after `finished`. */
      readonly reuse?: boolean;
    }
  | { readonly type: 'response'; readonly id: number; readonly ok: true; readonly value: JsonValue | undefined }
  | {
      readonly type: 'response';
      readonly id: number;
      readonly ok: false;
      /** `code` is a TidemarkError code (or an HTTP reason); the SDK rebuilds the typed error. */
      readonly error: { readonly code: string; readonly message: string };
    };

/** Requests a task may make; the union grows with the state API. */
export type TaskRequest =
  | {
      readonly method: 'xcom.pull';
      readonly params: { readonly taskId: string; readonly mapIndex?: number; readonly key?: string };
    }
  | { readonly method: 'xcom.push'; readonly params: { readonly key: string; readonly value: JsonValue } }
  | { readonly method: `state.${StateMethod}`; readonly params: StateRequestParams };

/**
 * Task state is this TI's (by the item key `stateKey(item)` gave a mapped TI's element, when its
 * task declares one); asset state names a declared asset by name or by uri; DAG state is the
 * attempt's own DAG's (SPEC §17; the server refuses any other DAG).
 */
export type StateTarget =
  | { readonly kind: 'task'; readonly itemKey?: string }
  | { readonly kind: 'asset'; readonly name: string }
  | { readonly kind: 'asset'; readonly uri: string }
  | { readonly kind: 'dag'; readonly dagId: string };

export type StateMethod = 'get' | 'set' | 'delete' | 'clear' | 'keys' | 'advance';

/**
 * One request shape for every state method; each uses what applies to it. Responses:
 * get → `{value, version, expires_at} | null`; set → `{version}` (or `{staged: true}`);
 * delete → null; clear → null; keys → `{keys: [{key, version, expires_at}]}`;
 * advance → `{value, version, advanced}` (or `{staged: true}`).
 */
export interface StateRequestParams {
  readonly target: StateTarget;
  readonly key?: string;
  readonly value?: JsonValue;
  /** A duration text ("30d") or `NEVER_EXPIRE`; omitted: `state.default_retention` (task state), never (DAG state). */
  readonly retention?: string;
  readonly ifVersion?: number;
  readonly onSuccess?: boolean;
}

/**
 * Counted by the worker's metrics (README "Observability"): what the pattern helpers did. Labels
 * come from closed sets, so the task process cannot grow the metric's cardinality.
 */
export type TaskMetricEvent =
  | {
      readonly name: 'resumable_decision';
      readonly decision: 'fresh_submit' | 'reattach' | 'already_done' | 'resubmit_after_failure';
    }
  | { readonly name: 'checkpoint_progress_write' };

export type TaskToSupervisor =
  | ({ readonly type: 'request'; readonly id: number } & TaskRequest)
  | TaskProcessReady
  | ({ readonly type: 'metric' } & TaskMetricEvent)
  | {
      readonly type: 'log';
      readonly level: 'debug' | 'info' | 'warn' | 'error';
      readonly message: string;
      readonly ts: number;
    }
  | ({
      readonly type: 'finished';
      readonly outcome: 'success';
      readonly returnValue?: JsonValue;
      /** Extras the task set for its outlets' events (`ctx.outletEvents`). */
      readonly outletEvents?: readonly OutletEventExtra[];
    } & FinishedTiming)
  | ({
      readonly type: 'finished';
      readonly outcome: 'failed';
      readonly error: string;
      /** false for errors that must not be retried (the SDK's FailTask, a DAG file that no longer has the task). */
      readonly retryable: boolean;
    } & FinishedTiming)
  | ({ readonly type: 'finished'; readonly outcome: 'skipped'; readonly reason: string } & FinishedTiming)
  | ({
      readonly type: 'finished';
      readonly outcome: 'deferred';
      /** What the triggerer waits for; the task function runs again (same try) when it fires. */
      readonly wait: DeferralWait;
      /** The attempt fails (retry policy applies) when the wait has not fired after this long. */
      readonly timeoutMs?: number;
    } & FinishedTiming);

/**
 * A reused task process after an attempt: cleaned up and waiting for the next `start`. It says how
 * much memory it holds (the worker recycles it above `worker.max_process_memory_mb`) and which DAG
 * files it imported, at which version (the worker recycles it when one changed).
 */
export interface TaskProcessReady {
  readonly type: 'ready';
  readonly rssBytes: number;
  readonly heapUsedBytes: number;
  /** Absolute DAG file path → version (`<mtime ms>:<size>`) as imported. */
  readonly dagFiles: Readonly<Record<string, string>>;
}

/**
 * Written as a line to stdout and stderr at the end of each attempt of a reused process, so the
 * supervisor knows the attempt's output is all read (the pipes and the IPC channel are not ordered).
 */
export const ATTEMPT_OUTPUT_END_MARKER = '\u0000tidemark:attempt-output-end';

/** What a `finished` message may say about time: the rest of the attempt is the runtime's overhead. */
export interface FinishedTiming {
  /** Milliseconds the task function ran (absent when it never ran: the DAG file did not load). */
  readonly ranMs?: number;
}

/** Exit code of a task process that sent `finished` (whatever the outcome). */
export const TASK_PROCESS_EXIT_OK = 0;
