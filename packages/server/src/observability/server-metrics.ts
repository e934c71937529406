import {
  countUnfinishedTaskInstances,
  GAUGED_TI_STATES,
  type MetadataDatabase,
  oldestRunningHeartbeat,
} from '@tidemark/db';
import type { FastifyBaseLogger } from 'fastify';
import { Gauge, Histogram, type Registry } from 'prom-client';

/**
 * The api-server's Prometheus metrics (README "Observability"). Labels take values from closed
 * sets only (scope kind, operation, error code, route template, state), never a key, run id or TI
 * id, so the number of series stays bounded however many keys and runs there are.
 */
export class ServerMetrics {
  readonly #stateOperations: Histogram<'scope' | 'operation' | 'outcome'>;
  readonly #httpRequests: Histogram<'method' | 'route' | 'status'>;
  readonly #claimWait: Histogram;

  constructor(registry: Registry, database: MetadataDatabase, now: () => number, log: FastifyBaseLogger) {
    const registers = [registry];
    this.#stateOperations = new Histogram({
      name: 'tidemark_state_operation_duration_seconds',
      help: 'State backend operations (execution and public API) by scope kind, operation and outcome (ok or the error code, e.g. state_conflict = 412, stale_attempt = 409, value_too_large = 413)',
      labelNames: ['scope', 'operation', 'outcome'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.#httpRequests = new Histogram({
      name: 'tidemark_http_request_duration_seconds',
      help: 'HTTP requests answered by the api-server, by method, route template and status code',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.#claimWait = new Histogram({
      name: 'tidemark_attempt_claim_wait_seconds',
      help: 'How long a task instance was queued before a worker claimed it',
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900],
      registers,
    });
    new Gauge({
      name: 'tidemark_task_instances',
      help: 'Task instances that wait for or hold a worker slot, by state (read from the database at scrape time)',
      labelNames: ['state'],
      registers,
      async collect() {
        try {
          const counts = await countUnfinishedTaskInstances(database.db);
          for (const state of GAUGED_TI_STATES) this.set({ state }, counts[state] ?? 0);
        } catch (error) {
          this.reset();
          log.warn({ err: error }, 'metrics: could not count task instances');
        }
      },
    });
    new Gauge({
      name: 'tidemark_running_task_heartbeat_age_seconds',
      help: 'Age of the oldest heartbeat among running task instances (0 when none runs); near scheduler.task_heartbeat_timeout means a zombie is coming',
      registers,
      async collect() {
        try {
          const oldest = await oldestRunningHeartbeat(database.db);
          this.set(oldest === undefined ? 0 : Math.max(0, now() - oldest) / 1000);
        } catch (error) {
          this.reset();
          log.warn({ err: error }, 'metrics: could not read heartbeats');
        }
      },
    });
  }

  stateOperation(scope: string, operation: string, outcome: string, seconds: number): void {
    this.#stateOperations.observe({ scope, operation, outcome }, seconds);
  }

  httpRequest(method: string, route: string, status: number, seconds: number): void {
    this.#httpRequests.observe({ method, route, status: String(status) }, seconds);
  }

  /** A claim handed out a TI queued at `queuedAt` (epoch ms). */
  claimed(queuedAt: number | null, now: number): void {
    if (queuedAt !== null) this.#claimWait.observe(Math.max(0, now - queuedAt) / 1000);
  }
}
