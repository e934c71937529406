import type { TidemarkConfig } from '@tidemark/core';
import { listActiveDagRunIds, type MetadataDatabase } from '@tidemark/db';
import type { Logger } from 'pino';
import { DatabaseOutageWatch } from '../database-outage/database-outage-watch.ts';
import type { SchedulerMetrics } from '../observability/scheduler-metrics.ts';
import { type StateGcLoopOptions, startStateGcLoop } from '../state-gc/index.ts';
import { createAssetTriggeredRuns } from './asset-triggered-run-creation.ts';
import { scheduleDagRun } from './dag-run-scheduling.ts';
import { DeferralTimeouts } from './deferral-timeouts.ts';
import { createDueScheduledRuns } from './scheduled-run-creation.ts';
import { failZombies } from './zombie-detection.ts';

/** What the scheduler needs from the DAG processor: one scan of the DAGs folder. */
export interface DagFolderScanner {
  runOnce(now: number): Promise<unknown>;
}

export interface SchedulerOptions {
  readonly config: TidemarkConfig;
  readonly database: MetadataDatabase;
  readonly log: Logger;
  /** Omit to run without a DAG processor (another process parses DAG files). */
  readonly dagProcessor?: DagFolderScanner;
  readonly clock?: () => number;
  /** State garbage collection (SPEC §6) every `state.gc_interval`; default: the configured backend. */
  readonly stateGc?: Pick<StateGcLoopOptions, 'backend' | 'extraSweeps' | 'pollIntervalMs' | 'onPass' | 'onCheck'>;
  /** Loop and garbage-collection metrics (README "Observability"); omitted: none. */
  readonly metrics?: SchedulerMetrics | undefined;
}

export interface RunningScheduler {
  /** Finishes the pass in progress, then stops. */
  stop(): Promise<void>;
  /** Resolves after the next complete pass (for tests and `--wait` callers). */
  nextPass(): Promise<void>;
}

const RUNS_PER_PASS = 500;

/**
 * The scheduler loop: parse changed DAG files, create due scheduled and asset-triggered runs, move every active run's
 * TIs along, fail zombies and deferred tries whose wait timed out. Each run is scheduled in its own short transaction, so several
 * schedulers on PostgreSQL share the work through row locks.
 */
export function startScheduler(options: SchedulerOptions): RunningScheduler {
  const { config, log } = options;
  const now = options.clock ?? Date.now;
  let stopped = false;
  let wake: (() => void) | undefined;
  let passWaiters: (() => void)[] = [];
  let lastScan = Number.NEGATIVE_INFINITY;
  const { metrics } = options;
  const onGcPass = options.stateGc?.onPass;
  const stateGc = startStateGcLoop({
    ...options.stateGc,
    config,
    database: options.database,
    log,
    clock: now,
    ...(metrics || onGcPass
      ? {
          onPass: (report) => {
            metrics?.gcPass(report);
            onGcPass?.(report);
          },
        }
      : {}),
  });
  const outage = new DatabaseOutageWatch(log, 'scheduler', now);
  const deferralTimeouts = new DeferralTimeouts();

  async function pass(): Promise<void> {
    if (options.dagProcessor && now() - lastScan >= config.scheduler.dag_scan_interval) {
      lastScan = now();
      await options.dagProcessor.runOnce(lastScan);
    }
    const heartbeatTimeout = config.scheduler.task_heartbeat_timeout;
    await runSchedulingPass(options.database, now(), heartbeatTimeout, log, {
      judgeZombies: mayJudgeZombies(outage, now(), heartbeatTimeout),
      deferralTimeouts,
    });
  }

  const loop = (async () => {
    while (!stopped) {
      const started = performance.now();
      try {
        await pass();
        outage.succeeded();
        metrics?.pass((performance.now() - started) / 1000, 'ok');
      } catch (error) {
        metrics?.pass((performance.now() - started) / 1000, 'error');
        if (!outage.failed(error)) log.error({ err: error }, 'scheduler pass failed; retrying');
      }
      const waiters = passWaiters;
      passWaiters = [];
      for (const resolve of waiters) resolve();
      if (stopped) break;
      // Not unref'd: this timer is what keeps a scheduler-only process alive (on SQLite nothing else does).
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, config.scheduler.loop_interval);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  })();

  return {
    async stop() {
      stopped = true;
      wake?.();
      await Promise.all([loop, stateGc.stop()]);
    },
    nextPass() {
      return new Promise<void>((resolve) => passWaiters.push(resolve));
    },
  };
}

/**
 * Workers cannot heartbeat while the database is away, so every running TI looks silent when it
 * comes back: zombies are judged again only once a whole heartbeat timeout has passed since then.
 */
function mayJudgeZombies(outage: DatabaseOutageWatch, now: number, heartbeatTimeoutMs: number): boolean {
  return !outage.inOutage && now - outage.recoveredAt >= heartbeatTimeoutMs;
}

export interface SchedulingPassOptions {
  /** False right after a database outage (see mayJudgeZombies). Default true. */
  readonly judgeZombies?: boolean;
  /** Kept across passes by the scheduler loop; default: a new one (it sweeps stale deferrals at once). */
  readonly deferralTimeouts?: DeferralTimeouts;
}

/** One pass without the DAG processor. Exported for tests and for `tidemark scheduler --once`. */
export async function runSchedulingPass(
  database: MetadataDatabase,
  now: number,
  heartbeatTimeoutMs: number,
  log: Logger,
  options: SchedulingPassOptions = {},
): Promise<void> {
  await createDueScheduledRuns(database, now, log);
  await createAssetTriggeredRuns(database, now, log);
  for (const dagRunId of await listActiveDagRunIds(database.db, RUNS_PER_PASS)) {
    await scheduleDagRun(database, dagRunId, now, log);
  }
  if (options.judgeZombies ?? true) await failZombies(database, now, heartbeatTimeoutMs, log);
  await (options.deferralTimeouts ?? new DeferralTimeouts()).run(database, now, log);
}
