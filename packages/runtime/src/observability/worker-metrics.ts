import type { TaskMetricEvent } from '@tidemark/core';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** How an attempt ended, as the worker saw it (label `outcome` of `tidemark_attempts_total`). */
export type AttemptOutcomeLabel =
  | 'success'
  | 'failed'
  | 'skipped'
  | 'deferred'
  | 'timeout'
  | 'crashed'
  | 'stopped'
  | 'stale';

const RESUMABLE_DECISIONS: ReadonlySet<string> = new Set([
  'fresh_submit',
  'reattach',
  'already_done',
  'resubmit_after_failure',
]);

/** The worker's metrics (README "Observability"); the supervisors of its attempts record into it. */
export class WorkerMetrics {
  readonly #attempts: Counter<'outcome'>;
  readonly #overhead: Histogram;
  readonly #offloadBytes: Counter<'direction'>;
  readonly #resumable: Counter<'decision'>;
  readonly #checkpointWrites: Counter;
  #running = 0;

  constructor(registry: Registry) {
    const registers = [registry];
    this.#attempts = new Counter({
      name: 'tidemark_attempts_total',
      help: 'Attempts this worker ran, by how they ended: success, failed (the task failed), skipped, timeout, crashed (the process died), stopped (the worker stopped), stale (the TI moved on)',
      labelNames: ['outcome'],
      registers,
    });
    this.#overhead = new Histogram({
      name: 'tidemark_attempt_overhead_seconds',
      help: "The runtime's share of an attempt: from the claim to the finish being recorded, less the time the task function ran",
      buckets: [0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.#offloadBytes = new Counter({
      name: 'tidemark_state_offload_bytes_total',
      help: 'Bytes of large state values written to (direction="write") and read from (direction="read") the offload store',
      labelNames: ['direction'],
      registers,
    });
    this.#resumable = new Counter({
      name: 'tidemark_resumable_decisions_total',
      help: 'What resumable() decided about its external job: fresh_submit, reattach, already_done, resubmit_after_failure',
      labelNames: ['decision'],
      registers,
    });
    this.#checkpointWrites = new Counter({
      name: 'tidemark_checkpoint_progress_writes_total',
      help: "checkpoint()'s progress writes that were stored",
      registers,
    });
    const metrics = this;
    new Gauge({
      name: 'tidemark_worker_running_attempts',
      help: 'Attempts this worker is running now',
      registers,
      collect() {
        this.set(metrics.#running);
      },
    });
  }

  attemptStarted(): void {
    this.#running++;
  }

  /** `overheadSeconds`: undefined when the task function's run time is unknown (it never ran, or did not report). */
  attemptEnded(outcome: AttemptOutcomeLabel, overheadSeconds: number | undefined): void {
    this.#running = Math.max(0, this.#running - 1);
    this.#attempts.inc({ outcome });
    if (overheadSeconds !== undefined) this.#overhead.observe(Math.max(0, overheadSeconds));
  }

  offloadBytes(direction: 'write' | 'read', bytes: number): void {
    this.#offloadBytes.inc({ direction }, bytes);
  }

  /** An event from a task process's pattern helpers; anything outside the closed sets is ignored. */
  taskEvent(event: TaskMetricEvent): void {
    if (event.name === 'checkpoint_progress_write') this.#checkpointWrites.inc();
    else if (event.name === 'resumable_decision' && RESUMABLE_DECISIONS.has(event.decision)) {
      this.#resumable.inc({ decision: event.decision });
    }
  }
}
