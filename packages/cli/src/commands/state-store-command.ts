import type { TidemarkConfig } from '@tidemark/core';
import type { MetadataDatabase } from '@tidemark/db';
import type { StateGcReport } from '@tidemark/runtime';
import { Command } from 'commander';
import { loadConfig } from '../config/load-config.ts';
import { formatMs } from '../output/print.ts';
import { createProgressBar, type ProgressBar } from '../output/progress-bar.ts';
import { addRotateKeyCommand } from './state-store-rotate-key.ts';

/** The database modules load when a command needs them, not with every `tidemark` command. */
const dbModule = () => import('@tidemark/db');

interface CleanOptions {
  dryRun?: boolean;
  verbose?: boolean;
  json?: boolean;
}

const CATEGORY_LABELS: Readonly<Record<string, string>> = {
  expiredTaskState: 'expired task state',
  expiredDagState: 'expired DAG state',
  orphanedAssetState: 'state of inactive assets',
  trimmedHistory: 'history beyond the depth',
};

/**
 * `tidemark state-store clean`: the scheduler's garbage-collection pass, by hand, straight on the
 * metadata database (no api-server needed), with a progress bar on a terminal.
 */
export function stateStoreCommand(): Command {
  const stateStore = new Command('state-store')
    .description('maintain the state store in the database directly')
    .exitOverride()
    .configureOutput({ outputError: (message, write) => write(`tidemark: ${message.replace(/^error: /, '')}`) });

  stateStore
    .command('clean')
    .description(
      'remove expired task state, the state of inactive assets and history beyond state.history_depth, ' +
        'in batches of state.gc_batch_size',
    )
    .option('--dry-run', 'list what would be removed, and change nothing')
    .option('--verbose', 'list every removed row')
    .option('--json', 'print the report as JSON (with the rows, under --verbose or --dry-run)')
    .action(async (options: CleanOptions) => {
      const config = loadConfig();
      const database = await (await dbModule()).connectDatabase(config.database.url);
      try {
        await (await dbModule()).assertSchemaCurrent(database);
        await clean(config, database, options);
      } finally {
        await database.close();
      }
    });

  addRotateKeyCommand(stateStore);

  return stateStore;
}

async function clean(config: TidemarkConfig, database: MetadataDatabase, options: CleanOptions): Promise<void> {
  // Loaded on use: the runtime costs ~1 s to import, which other commands need not pay.
  const { offloadSweepsFor, runStateGc } = await import('@tidemark/runtime');
  const dryRun = Boolean(options.dryRun);
  const listing = dryRun || Boolean(options.verbose);
  const backend = await (await dbModule()).createStateBackend(config, database);
  const bar = process.stderr.isTTY ? await progressBarFor(config, database, dryRun) : undefined;
  const items: { category: string; item: string }[] = [];

  const report = await runStateGc({
    backend,
    batchSize: config.state.gc_batch_size,
    dryRun,
    extraSweeps: await offloadSweepsFor(config, database),
    onProgress: (progress) => bar?.update(progress.removed),
    ...(listing
      ? {
          onRemoved: ({ category, items: removed }) => {
            if (options.json) {
              for (const item of removed) items.push({ category, item });
              return;
            }
            bar?.clear();
            const verb = dryRun ? 'would remove' : 'removed';
            process.stdout.write(removed.map((item) => `${verb} ${item}\n`).join(''));
          },
        }
      : {}),
  });
  bar?.finish();

  if (options.json) {
    process.stdout.write(`${JSON.stringify(reportJson(report, listing ? items : undefined), null, 2)}\n`);
    return;
  }
  process.stdout.write(summary(report));
}

/** With the metastore backend the bar knows its total; a custom backend only counts. */
async function progressBarFor(
  config: TidemarkConfig,
  database: MetadataDatabase,
  dryRun: boolean,
): Promise<ProgressBar> {
  const total =
    config.state.backend === (await dbModule()).METASTORE_BACKEND
      ? await (await dbModule()).countStateGarbage(database, {
          now: Date.now(),
          historyDepth: config.state.history_depth,
        })
      : undefined;
  return createProgressBar(process.stderr, { total, label: dryRun ? 'rows found' : 'rows removed' });
}

function summary(report: StateGcReport): string {
  const counts: [string, number][] = [
    [CATEGORY_LABELS.expiredTaskState ?? '', report.expiredTaskState],
    [CATEGORY_LABELS.expiredDagState ?? '', report.expiredDagState],
    [CATEGORY_LABELS.orphanedAssetState ?? '', report.orphanedAssetState],
    [CATEGORY_LABELS.trimmedHistory ?? '', report.trimmedHistory],
    ...Object.entries(report.sweeps),
  ];
  const width = Math.max(...counts.map(([label]) => label.length));
  const lines = counts.map(([label, count]) => `  ${label.padEnd(width)}  ${count.toLocaleString('en-US')}`);
  const rows = `${report.removed.toLocaleString('en-US')} row(s)`;
  const head = report.dryRun
    ? `Dry run: would remove ${rows}; nothing was changed.`
    : `Removed ${rows} in ${formatMs(report.durationMs)}.`;
  return `${[head, ...lines].join('\n')}\n`;
}

function reportJson(report: StateGcReport, items: { category: string; item: string }[] | undefined) {
  return {
    dry_run: report.dryRun,
    removed: report.removed,
    expired_task_state: report.expiredTaskState,
    expired_dag_state: report.expiredDagState,
    orphaned_asset_state: report.orphanedAssetState,
    trimmed_history: report.trimmedHistory,
    sweeps: report.sweeps,
    duration_ms: report.durationMs,
    ...(items === undefined ? {} : { items }),
  };
}
