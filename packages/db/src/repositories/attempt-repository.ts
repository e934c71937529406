import {
  type JsonValue,
  type OutletEventExtra,
  retryDelayMs,
  type SerializedDag,
  type SerializedTask,
  type TriggeringAssetEvent,
} from '@tidemark/core';
import type { Selectable, Transaction } from 'kysely';
import type { DialectName } from '../dialect/database-url.ts';
import type { Db, MetadataDatabase } from '../open-database.ts';
import type { DatabaseSchema, TaskInstanceTable } from '../schema/database-schema.ts';
import { isCurrentAttempt, notCurrentAttemptError } from '../state-store/attempt-fence.ts';
import type { StateValueCipher } from '../state-store/encryption/state-value-cipher.ts';
import {
  applyStagedAssetWrites,
  dropStagedAssetWrites,
  type TakenStagedWrite,
  takeStagedAssetWrites,
} from '../state-store/staged-asset-writes.ts';
import {
  finishAttempt,
  resumeAttempts,
  scheduleRetry,
  startAttempts,
} from '../transitions/task-instance-transitions.ts';
import { inWriteTransaction } from '../write-transaction.ts';
import { findAssetId, listTriggeringAssetEvents, recordAssetEvent } from './asset-event-repository.ts';
import { readSerializedDag } from './parsed-dag-cache.ts';
import { takeFiredDeferrals } from './task-deferral-rows.ts';
import { clearXcomsOfMany, getXcom, setXcom } from './xcom-repository.ts';

/**
 * The life of one attempt (try) of a task instance, one named function per state change:
 * claimed (`queued → running`), heartbeat, and finished (`success`, `skipped`, `up_for_retry`,
 * `failed`). `max_tries` is the number of attempts allowed (retries + 1); `try_number` counts the
 * attempts started. Every write but the claim is fenced (SPEC §7): it must come from the TI's
 * current running attempt, or it is refused with StaleAttemptError and changes nothing. The
 * state writes themselves are the `attempt` transitions of `../transitions/`.
 */

type Trx = Transaction<DatabaseSchema>;

export { isCurrentAttempt, notCurrentAttemptError };

/** The return value's XCom key (Airflow's). */
export const RETURN_VALUE_KEY = 'return_value';

export interface ClaimedTaskInstance {
  /** The task instance after the claim: `running`, `try_number` already incremented. */
  readonly taskInstance: Selectable<TaskInstanceTable>;
  /** The DAG file, relative to the DAGs folder. */
  readonly fileloc: string;
  readonly conf: Record<string, JsonValue>;
  readonly logicalDate: number | null;
  /** From the serialized task; null: no timeout (or the task is no longer in the serialized DAG). */
  readonly executionTimeoutMs: number | null;
  /** A mapped TI's element of its upstream's returned array; absent for an unmapped TI. */
  readonly mapItem?: JsonValue;
  /**
   * Set instead of `mapItem` when a mapped TI's element cannot be found (no upstream return value,
   * not an array, index out of range). The attempt is claimed all the same; the caller fails it.
   */
  readonly mapItemError?: string;
  /** For an asset-triggered run: the events that triggered it; else empty. */
  readonly triggeringAssetEvents: readonly TriggeringAssetEvent[];
  /** Set when the claim resumes a deferred try (SPEC §16): the event its wait fired with. */
  readonly resumedWith?: JsonValue;
}

export interface AttemptRef {
  readonly tiId: string;
  readonly tryNumber: number;
}

/** Where a finished (or deferred) attempt left its TI. */
export interface AttemptOutcome {
  readonly state: 'success' | 'skipped' | 'up_for_retry' | 'failed' | 'deferred';
  /** Epoch ms of the next try, for `up_for_retry`; null otherwise. */
  readonly nextRetryAt: number | null;
}

export async function findTaskInstance(db: Db, tiId: string): Promise<Selectable<TaskInstanceTable> | undefined> {
  return db.selectFrom('task_instance').selectAll().where('id', '=', tiId).executeTakeFirst();
}

/** The task's policy from the DAG's serialized form; undefined when the DAG or task is unknown. */
export async function findSerializedTask(db: Db, dagId: string, taskId: string): Promise<SerializedTask | undefined> {
  return taskOf(await readSerializedDag(db, dagId), taskId);
}

/**
 * Claims the oldest queued TI for `worker`: it becomes `running` with the next try number, and the
 * XComs of its previous try are wiped (SPEC §10). A TI whose deferred try's wait fired resumes
 * instead (SPEC §16): same try number, its XComs kept, and the wait's event handed over (the
 * deferral row is consumed). On PostgreSQL concurrent claimers skip each other's locked rows
 * (`FOR UPDATE SKIP LOCKED`); on SQLite the IMMEDIATE write transaction serialises them. Returns
 * undefined when nothing is queued.
 */
export async function claimNextAttempt(
  database: MetadataDatabase,
  claim: { readonly worker: string; readonly now: number },
): Promise<ClaimedTaskInstance | undefined> {
  const [claimed] = await claimNextAttempts(database, { ...claim, limit: 1 });
  return claimed;
}

/**
 * Claims up to `limit` of the oldest queued TIs for `worker` in one transaction, with the same
 * semantics as claimNextAttempt for each (oldest first; resumed deferred tries keep their try
 * number), but with a fixed number of statements for the whole batch instead of a handful per TI:
 * one SELECT (`FOR UPDATE SKIP LOCKED` on PostgreSQL), one UPDATE per kind of claim (start,
 * resume), one DELETE of the started TIs' old XComs, and one context read per run. Returns them
 * oldest first; empty when nothing is queued.
 */
export async function claimNextAttempts(
  database: MetadataDatabase,
  claim: { readonly worker: string; readonly now: number; readonly limit: number },
): Promise<ClaimedTaskInstance[]> {
  if (!Number.isInteger(claim.limit) || claim.limit < 1)
    throw new RangeError(`claim limit must be a positive integer, got ${claim.limit}`);
  return inWriteTransaction(database, async (trx) => {
    const next = await selectOldestQueued(trx, database.dialect, claim.limit);
    if (next.length === 0) return [];
    const fired = await takeFiredDeferrals(trx, next);
    const who = { worker: claim.worker, now: claim.now };
    const resumed = await resumeAttempts(trx, {
      ...who,
      tiIds: next.filter((ti) => fired.has(ti.id)).map((ti) => ti.id),
    });
    const started = await startAttempts(trx, {
      ...who,
      tiIds: next.filter((ti) => !fired.has(ti.id)).map((ti) => ti.id),
    });
    await clearXcomsOfMany(
      trx,
      started.map((ti) => ({ dagRunId: ti.dag_run_id, taskId: ti.task_id, mapIndex: ti.map_index })),
    );
    const order = new Map(next.map((ti, index) => [ti.id, index]));
    const claimedTis = [...resumed, ...started].sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
    const described = await describeClaims(trx, claimedTis);
    return described.map((claimed) => {
      const event = fired.get(claimed.taskInstance.id);
      return event === undefined ? claimed : { ...claimed, resumedWith: event };
    });
  });
}

/** True when some TI waits in `queued`: a read, for waiting claims to poll before they try a claim. */
export async function hasQueuedAttempt(db: Db): Promise<boolean> {
  const row = await db
    .selectFrom('task_instance')
    .select('id')
    .where('state', '=', 'queued')
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** Records that the attempt is alive. False: it is not the TI's current running attempt (stale). */
export async function recordHeartbeat(db: Db, heartbeat: AttemptRef & { readonly now: number }): Promise<boolean> {
  const result = await db
    .updateTable('task_instance')
    .set({ heartbeat_at: heartbeat.now })
    .where('id', '=', heartbeat.tiId)
    .where('state', '=', 'running')
    .where('try_number', '=', heartbeat.tryNumber)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Where the success transaction puts the attempt's staged asset-state writes (SPEC §7). */
export type StagedWritesOnSuccess =
  /** The metastore backend: apply them in this transaction, keeping `state.history_depth` versions. */
  | { readonly apply: 'in_transaction'; readonly historyDepth: number; readonly cipher: StateValueCipher }
  /** A custom backend: take them out and return them (opened by `cipher`), for the caller to replay after the commit. */
  | { readonly apply: 'return'; readonly cipher: StateValueCipher };

export interface SuccessOutcome extends AttemptOutcome {
  /** With `apply: 'return'`: the staged writes, in order; else empty. */
  readonly stagedWrites: readonly TakenStagedWrite[];
}

/**
 * The attempt succeeded: the TI becomes `success`, its return value (JSON text) is stored as the
 * `return_value` XCom, an asset event is recorded for each of the task's outlets whose asset
 * exists, and its staged asset-state writes are applied (or handed back). One transaction: all of
 * it or none.
 */
export async function finishAttemptSuccess(
  database: MetadataDatabase,
  finish: AttemptRef & {
    readonly returnValue?: string;
    /** Extras for the events of the task's outlets; an outlet without one gets `{}`. */
    readonly outletEvents?: readonly OutletEventExtra[];
    readonly now: number;
    readonly stagedWrites: StagedWritesOnSuccess;
  },
): Promise<SuccessOutcome> {
  return inWriteTransaction(database, async (trx) => {
    const ti = await lockCurrentAttempt(trx, database.dialect, finish);
    await finishAttempt(trx, ti.id, 'success', finish.now);
    if (finish.returnValue !== undefined) {
      await setXcom(trx, { ...xcomOwner(ti), key: RETURN_VALUE_KEY, value: finish.returnValue, now: finish.now });
    }
    const task = await findSerializedTask(trx, ti.dag_id, ti.task_id);
    await recordOutletEvents(trx, ti, task?.outlets ?? [], finish.outletEvents ?? [], finish.now);
    const success = { state: 'success' as const, nextRetryAt: null };
    if (finish.stagedWrites.apply === 'return') {
      return { ...success, stagedWrites: await takeStagedAssetWrites(trx, finish, finish.stagedWrites.cipher) };
    }
    await applyStagedAssetWrites(trx, {
      ...finish,
      dialect: database.dialect,
      historyDepth: finish.stagedWrites.historyDepth,
      cipher: finish.stagedWrites.cipher,
    });
    return { ...success, stagedWrites: [] };
  });
}

/** The attempt skipped itself: the TI becomes `skipped`, and its staged writes go (it did not succeed). */
export async function finishAttemptSkipped(
  database: MetadataDatabase,
  finish: AttemptRef & { readonly now: number },
): Promise<AttemptOutcome> {
  return inWriteTransaction(database, async (trx) => {
    const ti = await lockCurrentAttempt(trx, database.dialect, finish);
    await finishAttempt(trx, ti.id, 'skipped', finish.now);
    await dropStagedAssetWrites(trx, finish);
    return { state: 'skipped', nextRetryAt: null };
  });
}

/**
 * The attempt failed (task error, timeout, crash, or a zombie found by the scheduler). The one
 * place retry policy is decided: a retryable failure with attempts left becomes `up_for_retry`,
 * due after the task's retry delay (with exponential backoff when configured); anything else
 * becomes `failed`. `error` is the caller's to log: there is no column for it.
 */
export async function recordAttemptFailure(
  database: MetadataDatabase,
  failure: AttemptRef & { readonly error: string; readonly retryable: boolean; readonly now: number },
): Promise<AttemptOutcome & { readonly state: 'up_for_retry' | 'failed' }> {
  return inWriteTransaction(database, async (trx) => {
    const ti = await lockCurrentAttempt(trx, database.dialect, failure);
    return failTry(trx, ti, failure);
  });
}

/**
 * Fails the TI's current try (`ti`, locked by the caller; running, or deferred when its wait failed
 * or timed out) and applies the retry policy: see recordAttemptFailure. Its staged writes go.
 */
export async function failTry(
  trx: Trx,
  ti: Selectable<TaskInstanceTable>,
  failure: AttemptRef & { readonly retryable: boolean; readonly now: number },
): Promise<AttemptOutcome & { readonly state: 'up_for_retry' | 'failed' }> {
  await dropStagedAssetWrites(trx, failure);
  if (failure.retryable && ti.try_number < ti.max_tries) {
    const task = await findSerializedTask(trx, ti.dag_id, ti.task_id);
    const nextRetryAt = failure.now + (task ? retryDelayMs(task, ti.try_number) : 0);
    await scheduleRetry(trx, ti.id, nextRetryAt, failure.now);
    return { state: 'up_for_retry' as const, nextRetryAt };
  }
  await finishAttempt(trx, ti.id, 'failed', failure.now);
  return { state: 'failed' as const, nextRetryAt: null };
}

/** Stores an XCom pushed by the TI's current running attempt (JSON text, already validated). */
export async function pushAttemptXcom(
  database: MetadataDatabase,
  push: AttemptRef & { readonly key: string; readonly value: string; readonly now: number },
): Promise<void> {
  await inWriteTransaction(database, async (trx) => {
    const ti = await lockCurrentAttempt(trx, database.dialect, push);
    await setXcom(trx, { ...xcomOwner(ti), key: push.key, value: push.value, now: push.now });
  });
}

async function selectOldestQueued(
  trx: Trx,
  dialect: DialectName,
  limit: number,
): Promise<{ id: string; try_number: number }[]> {
  const query = trx
    .selectFrom('task_instance')
    .select(['id', 'try_number'])
    .where('state', '=', 'queued')
    .orderBy('queued_at')
    .orderBy('id')
    .limit(limit);
  return (dialect === 'postgres' ? query.forUpdate().skipLocked() : query).execute();
}

/** The TI of the attempt, locked on PostgreSQL; StaleAttemptError unless it is the current running try. */
export async function lockCurrentAttempt(
  trx: Trx,
  dialect: DialectName,
  attempt: AttemptRef,
): Promise<Selectable<TaskInstanceTable>> {
  const query = trx.selectFrom('task_instance').selectAll().where('id', '=', attempt.tiId);
  const ti = await (dialect === 'postgres' ? query.forUpdate() : query).executeTakeFirst();
  if (!ti || !isCurrentAttempt(ti, attempt.tryNumber)) throw notCurrentAttemptError(attempt, ti);
  return ti;
}

async function recordOutletEvents(
  trx: Trx,
  ti: Selectable<TaskInstanceTable>,
  outlets: SerializedTask['outlets'],
  extras: readonly OutletEventExtra[],
  now: number,
): Promise<void> {
  for (const outlet of outlets) {
    const uri = outlet.uri ?? outlet.name;
    const assetId = await findAssetId(trx, { name: outlet.name, uri });
    if (assetId === undefined) continue;
    const extra = extras.find((candidate) => candidate.name === outlet.name && candidate.uri === uri)?.extra;
    const source = {
      kind: 'task' as const,
      dagId: ti.dag_id,
      runId: ti.run_id,
      taskId: ti.task_id,
      mapIndex: ti.map_index,
      tryNumber: ti.try_number,
    };
    await recordAssetEvent(trx, { assetId, extra, source }, now);
  }
}

/** What a worker needs for each claimed TI: one context read (and one DAG parse) per run, not per TI. */
async function describeClaims(trx: Trx, tis: readonly Selectable<TaskInstanceTable>[]): Promise<ClaimedTaskInstance[]> {
  const contexts = new Map<number, Promise<RunClaimContext>>();
  const claims: ClaimedTaskInstance[] = [];
  for (const ti of tis) {
    let context = contexts.get(ti.dag_run_id);
    if (!context) {
      context = readRunClaimContext(trx, ti);
      contexts.set(ti.dag_run_id, context);
    }
    claims.push(await describeClaim(trx, ti, await context));
  }
  return claims;
}

interface RunClaimContext {
  readonly fileloc: string;
  readonly conf: Record<string, JsonValue>;
  readonly logicalDate: number | null;
  readonly dag: SerializedDag | undefined;
  readonly triggeringAssetEvents: readonly TriggeringAssetEvent[];
}

async function readRunClaimContext(trx: Trx, ti: Selectable<TaskInstanceTable>): Promise<RunClaimContext> {
  const context = await trx
    .selectFrom('dag_run')
    .innerJoin('dag', 'dag.dag_id', 'dag_run.dag_id')
    .select(['dag_run.conf', 'dag_run.logical_date', 'dag_run.run_type', 'dag.fileloc', 'dag.serialized_hash'])
    .where('dag_run.id', '=', ti.dag_run_id)
    .executeTakeFirstOrThrow();
  const dag = await readSerializedDag(trx, ti.dag_id, context.serialized_hash);
  return {
    fileloc: context.fileloc || (dag?.fileloc ?? ''),
    conf: JSON.parse(context.conf) as Record<string, JsonValue>,
    logicalDate: context.logical_date,
    dag,
    triggeringAssetEvents:
      context.run_type === 'asset_triggered' ? await listTriggeringAssetEvents(trx, ti.dag_run_id) : [],
  };
}

async function describeClaim(
  trx: Trx,
  ti: Selectable<TaskInstanceTable>,
  context: RunClaimContext,
): Promise<ClaimedTaskInstance> {
  const task = taskOf(context.dag, ti.task_id);
  const claimed: ClaimedTaskInstance = {
    taskInstance: ti,
    fileloc: context.fileloc,
    conf: context.conf,
    logicalDate: context.logicalDate,
    executionTimeoutMs: task?.executionTimeoutMs ?? null,
    triggeringAssetEvents: context.triggeringAssetEvents,
  };
  if (ti.map_index < 0 || !task?.mapOver) return claimed;
  return { ...claimed, ...(await findMapItem(trx, ti, task.mapOver)) };
}

async function findMapItem(
  trx: Trx,
  ti: Selectable<TaskInstanceTable>,
  upstreamTaskId: string,
): Promise<{ mapItem: JsonValue } | { mapItemError: string }> {
  const items = await getXcom(trx, {
    dagRunId: ti.dag_run_id,
    taskId: upstreamTaskId,
    mapIndex: -1,
    key: RETURN_VALUE_KEY,
  });
  const where = `task "${ti.task_id}" is mapped over the return value of task "${upstreamTaskId}"`;
  if (items === undefined) return { mapItemError: `${where}, which has none in run "${ti.run_id}"` };
  if (!Array.isArray(items)) return { mapItemError: `${where}, which is not an array` };
  if (ti.map_index >= items.length) {
    return {
      mapItemError: `${where}, which has ${items.length} element(s): map index ${ti.map_index} is out of range`,
    };
  }
  return { mapItem: items[ti.map_index] as JsonValue };
}

function xcomOwner(ti: Selectable<TaskInstanceTable>) {
  return {
    dagRunId: ti.dag_run_id,
    dagId: ti.dag_id,
    runId: ti.run_id,
    taskId: ti.task_id,
    mapIndex: ti.map_index,
  };
}

function taskOf(dag: SerializedDag | undefined, taskId: string): SerializedTask | undefined {
  return dag?.tasks.find((task) => task.taskId === taskId);
}
