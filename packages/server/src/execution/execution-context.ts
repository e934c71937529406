import type { StateBackend, TidemarkConfig } from '@tidemark/core';
import type { MetadataDatabase } from '@tidemark/db';
import type { ServerMetrics } from '../observability/server-metrics.ts';
import type { ExecutionAuth } from './execution-auth.ts';
import type { TaskInstanceIdentities } from './task-instance-identities.ts';

/** What every execution route needs, built once by the app and passed down explicitly. */
export interface ExecutionContext {
  readonly config: TidemarkConfig;
  readonly database: MetadataDatabase;
  readonly secretKey: string;
  readonly logsFolder: string;
  readonly auth: ExecutionAuth;
  readonly identities: TaskInstanceIdentities;
  /** The configured state backend, shared with the public API. */
  readonly stateBackend: StateBackend;
  /** Epoch ms; tests pass a manual clock. */
  readonly now: () => number;
  /** Undefined when metrics are off. */
  readonly metrics?: ServerMetrics | undefined;
  /** Test hook: a claim with `wait_ms` found nothing queued and starts waiting for work. */
  readonly onClaimWaiting?: () => void;
}

/** How often a supervisor heartbeats: a quarter of the zombie timeout, at least every 100 ms. */
export function heartbeatIntervalMs(config: TidemarkConfig): number {
  return Math.max(100, Math.floor(config.scheduler.task_heartbeat_timeout / 4));
}
