import { z } from 'zod';
import { DEFERRAL_KINDS } from '../deferral/deferral-wait.ts';
import { INT32_MAX } from '../public/int32-range.ts';
import { plainText } from '../public/plain-text.ts';
import { workerJsonValueSchema } from './state-store-contract.ts';
import { MAX_TRIGGERER_CAPACITY } from './triggerer-api-contract.ts';

/**
 * The execution API a triggerer uses to run deferred tries' waits (SPEC §16), with its triggerer
 * token (`requireTriggerer`), beside its watcher routes. Deferrals are leased like watchers: a
 * triggerer renews all its leases with each lease request, an expired lease is taken over by
 * another triggerer with a new generation, and every fire or error report names the generation it
 * ran under (409 `deferral_lease_lost` otherwise: stop running that wait).
 *
 * Firing moves the TI `deferred → scheduled` only if it is still deferred at that try: a wait
 * that fires twice (two triggerers, a retried request) resumes the TI once.
 */
export const DEFERRAL_ROUTES = {
  /** POST: renew this triggerer's deferral leases, take free or expired ones, report idle checks → the leased deferrals. */
  leases: '/execution/triggerers/:triggerer_id/deferral-leases',
  /** DELETE: give every deferral lease back (a graceful stop). */
  releaseLeases: '/execution/triggerers/:triggerer_id/deferral-leases',
  /**
   * POST, between renewals: take new deferrals (free, or whose lease expired) up to the capacity
   * left → only those. With `wait_ms`, held open until one is there (a long poll), so a new wait
   * reaches a triggerer within milliseconds.
   */
  take: '/execution/triggerers/:triggerer_id/deferral-leases/new',
  /** POST `{lease, event}`: the wait fired; the TI is scheduled to resume with `event`. */
  fire: '/execution/deferrals/:deferral_id/fire',
  /** POST `{lease, error}`: the wait failed (its poll threw, or is not in the DAG file): the try fails. */
  error: '/execution/deferrals/:deferral_id/error',
} as const;

const deferralId = () => z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);
const leaseGeneration = () => z.number().int().min(1).max(INT32_MAX);

const idleCheckSchema = z.strictObject({
  deferral_id: deferralId(),
  lease: leaseGeneration(),
  /** Epoch ms of the last check of a poll that returned nothing. */
  checked_at: z.number().int().min(0),
});

/** POST deferral-leases body. */
export const deferralLeaseRequestSchema = z.strictObject({
  /** Shown on the TI (hostname:pid). */
  hostname: plainText().min(1).max(250),
  /** How many deferrals this triggerer runs at most (`triggerer.deferral_capacity`). */
  capacity: z.number().int().min(0).max(MAX_TRIGGERER_CAPACITY),
  /**
   * Polls since the last request that returned nothing. Each is recorded (last check, next check
   * `checked_at + every`) if the deferral is still held under that lease; otherwise ignored.
   */
  idle_checks: z.array(idleCheckSchema).max(MAX_TRIGGERER_CAPACITY).optional(),
});
export type DeferralLeaseRequest = z.infer<typeof deferralLeaseRequestSchema>;

/** The longest a take may wait for new deferrals (`wait_ms`). */
export const MAX_DEFERRAL_TAKE_WAIT_MS = 30_000;

/** POST take body. */
export const deferralTakeRequestSchema = z.strictObject({
  hostname: plainText().min(1).max(250),
  /** The most deferrals the triggerer holds after this request (those it holds count). */
  capacity: z.number().int().min(0).max(MAX_TRIGGERER_CAPACITY),
  /** Long poll: when nothing is free, hold the request up to this long for something to be. */
  wait_ms: z.number().int().min(0).max(MAX_DEFERRAL_TAKE_WAIT_MS).optional(),
});
export type DeferralTakeRequest = z.infer<typeof deferralTakeRequestSchema>;

/** A deferral leased to a triggerer: what it needs to run the wait. */
export const leasedDeferralSchema = z.strictObject({
  id: z.number().int(),
  /** The lease generation: fire and error reports name it. */
  lease: z.number().int(),
  kind: z.enum(DEFERRAL_KINDS),
  /** The deferred try. */
  ti: z.strictObject({
    id: z.string(),
    dag_id: z.string(),
    run_id: z.string(),
    task_id: z.string(),
    map_index: z.number().int(),
    try_number: z.number().int(),
  }),
  /** The DAG file (relative to the DAGs folder) that declares the poll. */
  fileloc: z.string(),
  /** poll: its name, arguments and interval; null for a timer. */
  poll_name: z.string().nullable(),
  args: z.json().nullable(),
  every_ms: z.number().int().nullable(),
  /** Epoch ms: when a timer fires, or the next check of a poll. */
  next_check_at: z.number().int(),
  /** Epoch ms after which the scheduler fails the try; null: no timeout. */
  timeout_at: z.number().int().nullable(),
});
export type LeasedDeferral = z.infer<typeof leasedDeferralSchema>;

export const deferralLeaseResponseSchema = z.strictObject({
  lease_expires_at: z.number().int(),
  lease_timeout_ms: z.number().int(),
  deferrals: z.array(leasedDeferralSchema),
});
export type DeferralLeaseResponse = z.infer<typeof deferralLeaseResponseSchema>;

export const deferralIdPathSchema = z.strictObject({ deferral_id: z.coerce.number().pipe(deferralId()) });

/** POST fire body: `event` is what the task resumes with (`ctx.resumedWith`), at most `state.max_value_bytes`. */
export const deferralFireRequestSchema = z.strictObject({
  lease: leaseGeneration(),
  event: workerJsonValueSchema,
});
export type DeferralFireRequest = z.infer<typeof deferralFireRequestSchema>;

/** 200: `resumed` false when the wait had already fired (nothing changed). */
export const deferralFireResponseSchema = z.strictObject({ resumed: z.boolean() });
export type DeferralFireResponse = z.infer<typeof deferralFireResponseSchema>;

/** POST error body. */
export const deferralErrorRequestSchema = z.strictObject({
  lease: leaseGeneration(),
  error: plainText().min(1).max(10_000),
});
export type DeferralErrorRequest = z.infer<typeof deferralErrorRequestSchema>;

/** 200: where the failed try left its TI (its retry policy applied). */
export const deferralErrorResponseSchema = z.strictObject({
  state: z.enum(['up_for_retry', 'failed']),
  next_retry_at: z.number().int().nullable(),
});
export type DeferralErrorResponse = z.infer<typeof deferralErrorResponseSchema>;
