import { z } from 'zod';
import { MAX_DEFERRAL_MS, MIN_POLL_EVERY_MS, POLL_NAME_PATTERN } from '../deferral/deferral-wait.ts';
import { INT32_MAX } from '../public/int32-range.ts';
import { plainText } from '../public/plain-text.ts';
import { workerJsonValueSchema } from './state-store-contract.ts';

/**
 * The execution API's task lifecycle (workers ↔ api-server), under `/execution`. Workers never
 * open the database: they claim work, heartbeat, log, read XComs and finish through these routes.
 *
 * Auth: claiming needs a *worker token* (`Authorization: Bearer`, a JWT with `kind: "worker"`
 * signed with `api.secret_key`). Every other route needs the *attempt token* the claim returned
 * (`kind: "attempt"`, `sub` = TI id, `try` = try number). Missing, expired or forged token: 401.
 * An attempt token used on another TI's path: 403. A write from an attempt that is no longer
 * the TI's current running try: 409 `stale_attempt` (the supervisor then stops the task).
 */
export const EXECUTION_ROUTES = {
  claim: '/execution/workloads/claim',
  heartbeat: '/execution/task-instances/:ti_id/heartbeat',
  finish: '/execution/task-instances/:ti_id/state',
  logs: '/execution/task-instances/:ti_id/logs',
  xcomPull: '/execution/task-instances/:ti_id/xcom',
  xcomPush: '/execution/task-instances/:ti_id/xcom/:key',
  refreshToken: '/execution/token/refresh',
} as const;

const jsonValue = z.json();

/** The longest a claim may wait for work (`wait_ms`). */
export const MAX_CLAIM_WAIT_MS = 30_000;

/** The most attempts one claim request may ask for (`max_attempts`). */
export const MAX_CLAIM_BATCH = 256;

/**
 * POST claim → 204 (nothing to do) or 200. Without `max_attempts`: one ClaimedAttempt (the
 * single-claim contract). With it: a ClaimBatch of 1..max_attempts attempts, oldest first, claimed
 * in one transaction. Claimed TIs are `running` at once.
 */
export const claimRequestSchema = z.strictObject({
  /** Shown as the TI's `worker` (hostname:pid). */
  worker: plainText().min(1).max(250),
  /** Long poll: when nothing is queued, hold the request up to this long for something to be. */
  wait_ms: z.number().int().min(0).max(MAX_CLAIM_WAIT_MS).optional(),
  /** Batch claim: at most this many attempts (the worker's free slots), answered as a ClaimBatch. */
  max_attempts: z.number().int().min(1).max(MAX_CLAIM_BATCH).optional(),
});
export type ClaimRequest = z.infer<typeof claimRequestSchema>;

const assetEventExtraSchema = z.record(z.string(), jsonValue);

/** An event that triggered the attempt's run (asset-triggered runs only). */
export const triggeringAssetEventSchema = z.strictObject({
  id: z.number().int(),
  asset_name: z.string(),
  asset_uri: z.string(),
  extra: assetEventExtraSchema,
  /** `task`, `api` or `watcher`; the `source_*` fields of that kind are set. */
  source_kind: z.enum(['task', 'api', 'watcher']),
  source_dag_id: z.string().optional(),
  source_run_id: z.string().optional(),
  source_task_id: z.string().optional(),
  source_map_index: z.number().int().optional(),
  source_try_number: z.number().int().nullable().optional(),
  source_user: z.string().optional(),
  source_watcher: z.string().optional(),
  /** Epoch ms. */
  timestamp: z.number(),
});
export type TriggeringAssetEventWire = z.infer<typeof triggeringAssetEventSchema>;

/** Extra for the event one of the task's outlets emits on success. */
export const outletEventSchema = z.strictObject({
  name: z.string().min(1),
  uri: z.string().min(1),
  extra: assetEventExtraSchema,
});

export const claimedAttemptSchema = z.strictObject({
  token: z.string(),
  /** Epoch ms when the token expires; refresh before. */
  token_expires_at: z.number(),
  ti_id: z.string(),
  dag_id: z.string(),
  run_id: z.string(),
  task_id: z.string(),
  map_index: z.number().int(),
  try_number: z.number().int().min(1),
  max_tries: z.number().int().min(1),
  /** The DAG file relative to the DAGs folder. */
  fileloc: z.string(),
  conf: z.record(z.string(), jsonValue),
  logical_date: z.number().nullable(),
  /** For a mapped TI: its element of the upstream's returned array. */
  map_item: jsonValue.optional(),
  /** For an asset-triggered run: the events that triggered it (absent otherwise). */
  triggering_asset_events: z.array(triggeringAssetEventSchema).optional(),
  execution_timeout_ms: z.number().int().nullable(),
  /**
   * Present when this try resumes after a deferral (SPEC §16): the event its wait fired with
   * (`{kind: "timer"}`, or what the poll returned). The try number is the deferred try's.
   */
  resumed_with: jsonValue.optional(),
  /** How often the supervisor must heartbeat (well inside the scheduler's zombie timeout). */
  heartbeat_interval_ms: z.number().int().min(1),
});
export type ClaimedAttempt = z.infer<typeof claimedAttemptSchema>;

/** The 200 answer to a claim with `max_attempts`: between 1 and `max_attempts` attempts, oldest first. */
export const claimBatchSchema = z.strictObject({
  attempts: z.array(claimedAttemptSchema).min(1).max(MAX_CLAIM_BATCH),
});
export type ClaimBatch = z.infer<typeof claimBatchSchema>;

/** PUT heartbeat → 204, or 409 `stale_attempt` when the TI moved on (zombie, cleared, marked). */

const deferralMs = () => z.number().int().min(0).max(MAX_DEFERRAL_MS);

/**
 * What a deferred try waits for (SPEC §16): a timer (`delay_ms` from now on the server's clock, or
 * the instant `until`, exactly one), or a poll the DAG file declares, called every `every_ms` with
 * `args` (JSON, at most `state.max_value_bytes`) until it returns something.
 */
export const deferralWaitSchema = z.discriminatedUnion('kind', [
  z
    .strictObject({
      kind: z.literal('timer'),
      delay_ms: deferralMs().optional(),
      /** Epoch ms. */
      until: z.number().int().min(0).optional(),
    })
    .refine((timer) => (timer.delay_ms === undefined) !== (timer.until === undefined), {
      message: 'a timer has exactly one of delay_ms and until',
    }),
  z.strictObject({
    kind: z.literal('poll'),
    name: z.string().regex(POLL_NAME_PATTERN, 'a poll name is 1–250 letters, digits, "_", "-" or "."'),
    args: workerJsonValueSchema,
    every_ms: z.number().int().min(MIN_POLL_EVERY_MS).max(MAX_DEFERRAL_MS),
  }),
]);
export type DeferralWaitWire = z.infer<typeof deferralWaitSchema>;

/** PATCH state: how the attempt ended. The server decides retry vs. failure from the TI's policy. */
export const finishRequestSchema = z.discriminatedUnion('state', [
  z.strictObject({
    state: z.literal('success'),
    return_value: workerJsonValueSchema.optional(),
    /** Extras for the events of the task's outlets (`ctx.outletEvents`); each at most `state.max_value_bytes`. */
    outlet_events: z.array(outletEventSchema).max(1_000).optional(),
  }),
  z.strictObject({
    state: z.literal('failed'),
    error: z.string().max(10_000),
    /** false for SDK errors that must not retry (FailTask). */
    retryable: z.boolean(),
  }),
  z.strictObject({ state: z.literal('skipped'), reason: z.string().max(10_000) }),
  /**
   * The try defers (SPEC §16): the TI becomes `deferred` and the wait is stored in the same
   * transaction; a triggerer runs it. The try is not used up: it resumes with the same try number.
   */
  z.strictObject({
    state: z.literal('deferred'),
    wait: deferralWaitSchema,
    /** The try fails (retry policy applies) if the wait has not fired this long after the deferral. */
    timeout_ms: deferralMs().optional(),
  }),
]);
export type FinishRequest = z.infer<typeof finishRequestSchema>;

export const finishResponseSchema = z.strictObject({
  /** The TI's state after finishing: success, skipped, up_for_retry, failed or deferred. */
  state: z.enum(['success', 'skipped', 'up_for_retry', 'failed', 'deferred']),
  next_retry_at: z.number().nullable(),
});
export type FinishResponse = z.infer<typeof finishResponseSchema>;

/** POST logs → 204; lines are appended to the attempt's log. */
export const logLineSchema = z.strictObject({
  /** Epoch ms. */
  ts: z.number(),
  level: z.enum(['debug', 'info', 'warn', 'error']),
  message: z.string(),
  /** Where it came from: the task's logger, or its stdout/stderr, or the supervisor. */
  source: z.enum(['task', 'stdout', 'stderr', 'supervisor']),
});
export type LogLine = z.infer<typeof logLineSchema>;
export const logBatchSchema = z.strictObject({ lines: z.array(logLineSchema).max(10_000) });

/**
 * GET xcom?task_id=&map_index=&key= → 200 `{value}` or 404. Same DAG run as the token's TI.
 * For a mapped upstream without `map_index`: `{value: [every index's value, in map-index order]}`.
 */
export const xcomPullQuerySchema = z.strictObject({
  task_id: z.string().min(1),
  map_index: z.coerce.number().int().min(-1).max(INT32_MAX).optional(),
  key: z.string().min(1).default('return_value'),
});
export const xcomValueSchema = z.strictObject({ value: workerJsonValueSchema });

/** PUT xcom/{key} body `{value}` → 204. */

/** POST refresh → `{token, token_expires_at}` for the same attempt. */
export const refreshedTokenSchema = z.strictObject({ token: z.string(), token_expires_at: z.number() });
