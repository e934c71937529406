import type { StateBackend, StateCleanupReport } from '@tidemark/core';
import type { Logger } from 'pino';

/** More garbage to collect after the backend's own cleanup, e.g. offloaded objects whose rows are gone. */
export interface StateGcSweep {
  readonly name: string;
  run(options: { dryRun: boolean; batchSize: number }): Promise<{ removed: number; items?: string[] }>;
}

export interface StateGcOptions {
  readonly backend: StateBackend;
  /** Rows per transaction (`state.gc_batch_size`). */
  readonly batchSize: number;
  /** Count and list what would go, and change nothing. */
  readonly dryRun?: boolean;
  readonly extraSweeps?: readonly StateGcSweep[];
  readonly log?: Logger;
  /** Stops between batches; the pass then rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /** After every batch: what was removed so far. */
  readonly onProgress?: (progress: StateGcProgress) => void;
  /** What each batch removed (on a dry run: would remove), one line per row. */
  readonly onRemoved?: (removed: { readonly category: string; readonly items: readonly string[] }) => void;
  readonly clock?: () => number;
}

export interface StateGcProgress extends StateCleanupReport {
  readonly expiredDagState: number;
  /** Rows removed by each extra sweep, by name. */
  readonly sweeps: Readonly<Record<string, number>>;
  /** Everything removed so far. */
  readonly removed: number;
}

export interface StateGcReport extends StateGcProgress {
  readonly durationMs: number;
}

/**
 * One garbage-collection pass (SPEC §6): the state backend's `cleanup()` (for the metastore backend,
 * the batched SQL path; for a custom backend, its own), then each extra sweep. Logs and returns
 * what it removed.
 */
export async function runStateGc(options: StateGcOptions): Promise<StateGcReport> {
  const now = options.clock ?? Date.now;
  const started = now();
  const dryRun = options.dryRun ?? false;
  let progress: StateGcProgress = withTotal(
    { dryRun, expiredTaskState: 0, expiredDagState: 0, orphanedAssetState: 0, trimmedHistory: 0 },
    {},
  );

  const cleaned = await options.backend.cleanup({
    dryRun,
    batchSize: options.batchSize,
    ...(options.signal ? { signal: options.signal } : {}),
    onProgress: (report) => {
      progress = withTotal(report, progress.sweeps);
      options.onProgress?.(progress);
    },
    ...(options.onRemoved ? { onRemoved: options.onRemoved } : {}),
  });
  progress = withTotal({ ...cleaned, dryRun }, progress.sweeps);

  for (const sweep of options.extraSweeps ?? []) {
    options.signal?.throwIfAborted();
    const result = await sweep.run({ dryRun, batchSize: options.batchSize });
    if (result.items && result.items.length > 0) options.onRemoved?.({ category: sweep.name, items: result.items });
    progress = withTotal(progress, { ...progress.sweeps, [sweep.name]: result.removed });
    options.onProgress?.(progress);
  }

  const report: StateGcReport = { ...progress, durationMs: now() - started };
  options.log?.info(
    { ...report, sweeps: undefined, ...prefixed(report.sweeps) },
    `state garbage collection ${dryRun ? 'would remove' : 'removed'} ${report.removed} row(s)`,
  );
  return report;
}

function withTotal(report: StateCleanupReport, sweeps: Readonly<Record<string, number>>): StateGcProgress {
  const fromSweeps = Object.values(sweeps).reduce((sum, count) => sum + count, 0);
  const expiredDagState = report.expiredDagState ?? 0;
  return {
    dryRun: report.dryRun,
    expiredTaskState: report.expiredTaskState,
    expiredDagState,
    orphanedAssetState: report.orphanedAssetState,
    trimmedHistory: report.trimmedHistory,
    sweeps,
    removed: report.expiredTaskState + expiredDagState + report.orphanedAssetState + report.trimmedHistory + fromSweeps,
  };
}

function prefixed(sweeps: Readonly<Record<string, number>>): Record<string, number> {
  return Object.fromEntries(Object.entries(sweeps).map(([name, count]) => [`sweep_${name}`, count]));
}
