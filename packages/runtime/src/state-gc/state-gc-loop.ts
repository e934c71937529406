import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { StateBackend, TidemarkConfig } from '@tidemark/core';
import {
  claimStateGcPass,
  createStateBackend,
  METASTORE_BACKEND,
  type MetadataDatabase,
  MetastoreStateBackend,
  releaseStateGcLease,
  renewStateGcLease,
  stateValueCipher,
} from '@tidemark/db';
import type { Logger } from 'pino';
import { DatabaseOutageWatch } from '../database-outage/database-outage-watch.ts';
import { runStateGc, type StateGcReport, type StateGcSweep } from './run-state-gc.ts';

export interface StateGcLoopOptions {
  readonly config: TidemarkConfig;
  readonly database: MetadataDatabase;
  readonly log: Logger;
  /** Default: the configured backend (`state.backend`), on this loop's clock. */
  readonly backend?: StateBackend;
  readonly extraSweeps?: readonly StateGcSweep[];
  readonly clock?: () => number;
  /** How often the loop looks at the clock (real time); default min(`state.gc_interval`, 5 s). */
  readonly pollIntervalMs?: number;
  /** After each pass this loop ran. */
  readonly onPass?: (report: StateGcReport) => void;
  /** Test hook: after each look at the clock and lease, with what the loop decided. */
  readonly onCheck?: (outcome: StateGcCheckOutcome) => void;
}

/** `not_due`: before its next due time; `held_elsewhere`: another scheduler has the pass; `ran`: it ran one. */
export type StateGcCheckOutcome = 'not_due' | 'held_elsewhere' | 'ran';

export interface RunningStateGc {
  /** Interrupts a pass between batches, frees the lease, and stops. */
  stop(): Promise<void>;
}

/** A crashed holder's lease lapses after this long; a live holder renews it every third of it. */
const LEASE_MS = 120_000;
const MAX_POLL_MS = 5_000;

/**
 * The scheduler's automatic garbage collection: every `state.gc_interval` (`0`: never), one pass
 * of `runStateGc`. Of several schedulers, the one whose conditional update of the lease row wins runs
 * the pass; the others wait until it is next due.
 */
export function startStateGcLoop(options: StateGcLoopOptions): RunningStateGc {
  const { config, database, log } = options;
  if (config.state.gc_interval <= 0) {
    log.info('automatic state garbage collection is off (state.gc_interval is 0)');
    return { stop: async () => {} };
  }
  const now = options.clock ?? Date.now;
  const holder = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const pollMs = options.pollIntervalMs ?? Math.min(config.state.gc_interval, MAX_POLL_MS);
  const abort = new AbortController();
  let backend: StateBackend | undefined = options.backend;
  let retryAt = Number.NEGATIVE_INFINITY;
  let wake: (() => void) | undefined;
  const outage = new DatabaseOutageWatch(log, 'state garbage collection', now);

  async function passIfDue(): Promise<StateGcCheckOutcome> {
    if (now() < retryAt) return 'not_due';
    const claim = await claimStateGcPass(database.db, {
      holder,
      now: now(),
      intervalMs: config.state.gc_interval,
      leaseMs: LEASE_MS,
    });
    if (!claim.claimed) {
      retryAt = claim.retryAt;
      return 'held_elsewhere';
    }
    retryAt = now() + config.state.gc_interval;
    const renewal = keepLease();
    try {
      backend ??= await configuredBackend(config, database, now);
      const report = await runStateGc({
        backend,
        batchSize: config.state.gc_batch_size,
        extraSweeps: options.extraSweeps ?? [],
        log,
        signal: abort.signal,
        clock: now,
      });
      options.onPass?.(report);
    } finally {
      clearInterval(renewal);
      await releaseStateGcLease(database.db, { holder, now: now() });
    }
    return 'ran';
  }

  function keepLease(): NodeJS.Timeout {
    const timer = setInterval(() => {
      renewStateGcLease(database.db, { holder, now: now(), leaseMs: LEASE_MS }).catch((error: unknown) =>
        log.warn({ err: error }, 'could not renew the state garbage-collection lease'),
      );
    }, LEASE_MS / 3);
    timer.unref();
    return timer;
  }

  const loop = (async () => {
    while (!abort.signal.aborted) {
      try {
        const outcome = await passIfDue();
        outage.succeeded();
        options.onCheck?.(outcome);
      } catch (error) {
        if (!abort.signal.aborted && !outage.failed(error)) {
          log.error({ err: error }, 'state garbage collection failed; retrying next interval');
        }
      }
      if (abort.signal.aborted) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, pollMs);
        timer.unref();
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  })();

  return {
    async stop() {
      abort.abort(new Error('the scheduler is stopping'));
      wake?.();
      await loop;
    },
  };
}

/** The metastore backend runs on the scheduler's clock; a custom one comes from its module. */
async function configuredBackend(
  config: TidemarkConfig,
  database: MetadataDatabase,
  clock: () => number,
): Promise<StateBackend> {
  if (config.state.backend !== METASTORE_BACKEND) return createStateBackend(config, database);
  return new MetastoreStateBackend(
    database,
    { maxValueBytes: config.state.max_value_bytes, historyDepth: config.state.history_depth, clock },
    stateValueCipher(config),
  );
}
