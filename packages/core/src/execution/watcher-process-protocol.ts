import type { AssetReference } from '../dag/serialized-dag.ts';
import type { JsonValue } from '../state-store/state-value-rules.ts';

/**
 * Messages between a triggerer and its watcher process (Node IPC, no network; SPEC §15.3). One
 * long-lived child runs every watcher the triggerer leased, each poll named by a `pollId`. The
 * child reads the watcher's asset state from the poll (`WatcherPollSpec.state`, when the triggerer
 * sent it) or through the triggerer (`request`), and sends each batch of events with the state
 * changes staged since the previous one as a `commit` request: the watcher's generator continues
 * only once the triggerer answered it. A refused commit (the state changed under the poll, or the
 * lease moved) ends the poll with `finished` `ended`.
 *
 * The same process runs the *checks* of deferred tasks' polls (SPEC §16): a `check` calls the poll
 * function a DAG file declared (`dag.poll(name, …)`) once with its arguments, and ends with
 * `finished` `pending` (it returned nothing: check again later), `fired` with the event, or
 * `error`. Checks and watcher polls share the `pollId` numbering, `log` and `abort`.
 */

/** What the watcher process needs to run one poll. */
export interface WatcherPollSpec {
  readonly pollId: number;
  readonly watcherId: number;
  readonly watcherName: string;
  readonly asset: AssetReference;
  readonly dagId: string;
  /** Absolute path of the DAG file that declares the watcher. */
  readonly dagFile: string;
  /**
   * Every key of the asset's state as the triggerer knows it, when it knows all of them and they
   * are few: the poll reads these in the process instead of asking the triggerer, until its first
   * commit, and reports the versions it read with that commit (`WatcherCommitParams.read`).
   */
  readonly state?: readonly KnownStateEntry[];
}

/** A key of the asset's state as the triggerer knows it. */
export interface KnownStateEntry {
  readonly key: string;
  readonly value: JsonValue;
  readonly version: number;
}

/** What the watcher process needs to run one check of a deferred task's poll (SPEC §16). */
export interface DeferralCheckSpec {
  readonly pollId: number;
  readonly deferralId: number;
  /** The poll's name in the DAG file (`dag.poll(name, …)`). */
  readonly pollName: string;
  readonly args: JsonValue;
  readonly dagId: string;
  /** Absolute path of the DAG file that declares the poll. */
  readonly dagFile: string;
  /** The deferred try, for the poll's context. */
  readonly runId: string;
  readonly taskId: string;
  readonly mapIndex: number;
  readonly tryNumber: number;
}

/** One event a poll emits on its asset. */
export interface WatcherEventWire {
  readonly extra?: Readonly<Record<string, JsonValue>>;
}

/** A state change staged by the watcher; the triggerer adds the compare-and-set version it read. */
export type StagedStateChange =
  | { readonly key: string; readonly operation: 'set'; readonly value: JsonValue }
  | { readonly key: string; readonly operation: 'delete' }
  | { readonly key: string; readonly operation: 'advance'; readonly value: number | string };

export interface WatcherCommitParams {
  readonly events: readonly WatcherEventWire[];
  readonly state: readonly StagedStateChange[];
  /** The version of each key the poll read from its `WatcherPollSpec.state` (0: absent), for compare-and-set. */
  readonly read?: Readonly<Record<string, number>>;
}

/**
 * Requests of a poll. Answers: `state.get` → `{value, version} | null`; `state.keys` →
 * `{keys: string[]}`; `commit` → `{event_ids: number[]}`, or an error (`state_conflict`,
 * `watcher_lease_lost`, `poll_aborted`) after which the poll must end.
 */
export type WatcherProcessRequest =
  | { readonly method: 'state.get'; readonly params: { readonly key: string } }
  | { readonly method: 'state.keys'; readonly params: Record<string, never> }
  | { readonly method: 'commit'; readonly params: WatcherCommitParams };

export type TriggererToWatcherProcess =
  | { readonly type: 'poll'; readonly poll: WatcherPollSpec }
  | { readonly type: 'check'; readonly check: DeferralCheckSpec }
  /** Aborts the poll's `ctx.signal` (the triggerer stops, or lost the watcher's lease). */
  | { readonly type: 'abort'; readonly pollId: number; readonly reason: string }
  /** Answered with `pong` at once: a process that does not answer has its event loop blocked. */
  | { readonly type: 'ping'; readonly id: number }
  | { readonly type: 'response'; readonly id: number; readonly ok: true; readonly value: JsonValue | undefined }
  | {
      readonly type: 'response';
      readonly id: number;
      readonly ok: false;
      readonly error: { readonly code: string; readonly message: string };
    };

export type WatcherProcessToTriggerer =
  /** Sent once the process listens for messages; the triggerer sends polls after it. */
  | { readonly type: 'ready' }
  | { readonly type: 'pong'; readonly id: number }
  | ({ readonly type: 'request'; readonly id: number; readonly pollId: number } & WatcherProcessRequest)
  | {
      readonly type: 'log';
      readonly pollId: number;
      readonly level: 'debug' | 'info' | 'warn' | 'error';
      readonly message: string;
      readonly ts: number;
    }
  /** `ok`: the watcher returned and everything it emitted was committed. */
  | { readonly type: 'finished'; readonly pollId: number; readonly outcome: 'ok' }
  /** `error`: it threw (or could not be loaded); what it staged since its last commit is dropped. */
  | { readonly type: 'finished'; readonly pollId: number; readonly outcome: 'error'; readonly error: string }
  /** `ended`: a commit was refused or the poll was aborted; it ran its `finally` blocks and stopped. */
  | { readonly type: 'finished'; readonly pollId: number; readonly outcome: 'ended' }
  /** A check whose poll returned nothing (undefined or null): the wait goes on. */
  | { readonly type: 'finished'; readonly pollId: number; readonly outcome: 'pending' }
  /** A check whose poll returned `event` (JSON): the wait fired. */
  | { readonly type: 'finished'; readonly pollId: number; readonly outcome: 'fired'; readonly event: JsonValue };
