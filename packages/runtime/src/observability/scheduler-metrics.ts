import { Counter, Histogram, type Registry } from 'prom-client';
import type { StateGcReport } from '../state-gc/run-state-gc.ts';

/** The scheduler's metrics (README "Observability"). */
export class SchedulerMetrics {
  readonly #loop: Histogram<'outcome'>;
  readonly #gcRows: Counter<'category'>;
  readonly #gcPass: Histogram;

  constructor(registry: Registry) {
    const registers = [registry];
    this.#loop = new Histogram({
      name: 'tidemark_scheduler_loop_duration_seconds',
      help: 'One scheduling pass (DAG scan when due, run creation, TI decisions, zombies), by outcome (ok, error)',
      labelNames: ['outcome'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.#gcRows = new Counter({
      name: 'tidemark_state_gc_rows_removed_total',
      help: 'Rows (and offloaded objects) removed by state garbage collection, by category',
      labelNames: ['category'],
      registers,
    });
    this.#gcPass = new Histogram({
      name: 'tidemark_state_gc_pass_duration_seconds',
      help: 'One state garbage-collection pass, all batches and sweeps',
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600],
      registers,
    });
  }

  pass(seconds: number, outcome: 'ok' | 'error'): void {
    this.#loop.observe({ outcome }, seconds);
  }

  gcPass(report: StateGcReport): void {
    this.#gcPass.observe(report.durationMs / 1000);
    this.#gcRows.inc({ category: 'expired_task_state' }, report.expiredTaskState);
    this.#gcRows.inc({ category: 'orphaned_asset_state' }, report.orphanedAssetState);
    this.#gcRows.inc({ category: 'trimmed_history' }, report.trimmedHistory);
    // Sweeps are the configured offload sweeps: a handful of fixed names.
    for (const [sweep, removed] of Object.entries(report.sweeps)) {
      this.#gcRows.inc({ category: sweep.replaceAll('-', '_') }, removed);
    }
  }
}
