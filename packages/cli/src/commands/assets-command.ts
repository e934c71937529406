import { type AssetEventResponse, type AssetResponse, TidemarkError } from '@tidemark/core';
import type { Command } from 'commander';
import { apiCommandGroup, parseJsonObject, usageError, wholeNumber, withApiUrl } from '../api/api-command.ts';
import { connectApi } from '../api/api-connection.ts';
import { formatTime, printJson, printLine, printTable } from '../output/print.ts';
import type { Column } from '../output/table.ts';

interface ListOptions {
  apiUrl?: string;
  json?: boolean;
  limit: number;
  offset: number;
}

interface EventsOptions extends ListOptions {
  assetId?: number;
}

/** `tidemark assets list|events` over the public API. */
export function assetsCommand(): Command {
  const assets = apiCommandGroup('assets', 'list assets and their events (through the api-server)');

  withApiUrl(assets.command('list').description('list the assets that DAGs declare'))
    .option('--limit <n>', 'at most this many', wholeNumber(1), 100)
    .option('--offset <n>', 'skip this many', wholeNumber(0), 0)
    .option('--json', 'print the API response as JSON')
    .action(async (options: ListOptions) => {
      const page = await connectApi(options).listAssets({ limit: options.limit, offset: options.offset });
      if (options.json) return printJson(page);
      printTable(ASSET_COLUMNS, page.assets, {
        empty: 'No assets.',
        total: page.total_entries,
        offset: options.offset,
      });
    });

  withApiUrl(assets.command('events').description('list asset events, newest first'))
    .option('--asset-id <id>', 'only the events of this asset (its id in "assets list")', wholeNumber(1))
    .option('--limit <n>', 'at most this many', wholeNumber(1), 100)
    .option('--offset <n>', 'skip this many', wholeNumber(0), 0)
    .option('--json', 'print the API response as JSON')
    .action(async (options: EventsOptions) => {
      const page = await connectApi(options).listAssetEvents({
        asset_id: options.assetId,
        limit: options.limit,
        offset: options.offset,
      });
      if (options.json) return printJson(page);
      printTable(ASSET_EVENT_COLUMNS, page.asset_events, {
        empty: options.assetId === undefined ? 'No asset events.' : `No events of asset ${options.assetId}.`,
        total: page.total_entries,
        offset: options.offset,
      });
    });
  withApiUrl(assets.command('emit').description('record an event of an asset (role op): DAGs scheduled on it may run'))
    .argument('<asset>', 'the asset name')
    .option('--extra <json>', "a JSON object the triggered runs see as the event's extra")
    .option('--json', 'print the API response as JSON')
    .action(async (name: string, options: EmitOptions, command: Command) => {
      const extra = options.extra === undefined ? undefined : parseExtra(options.extra, command);
      const client = connectApi(options);
      const assetId = await client.findAssetId(name);
      if (assetId === undefined) {
        throw new TidemarkError('asset_not_found', `no asset named "${name}"; "tidemark assets list" shows the assets`);
      }
      const event = await client.createAssetEvent({ asset_id: assetId, ...(extra ? { extra } : {}) });
      if (options.json) return printJson(event);
      printLine(`asset event ${event.id} of "${event.asset_name}" recorded`);
    });
  return assets;
}

interface EmitOptions {
  apiUrl?: string;
  extra?: string;
  json?: boolean;
}

function parseExtra(text: string, command: Command): Record<string, unknown> {
  const parsed = parseJsonObject('--extra', text);
  if ('problem' in parsed) usageError(command, parsed.problem);
  return parsed.object;
}

const tasks = (references: readonly { dag_id: string; task_id: string }[]) =>
  references.map((reference) => `${reference.dag_id}.${reference.task_id}`).join(',');

const ASSET_COLUMNS: readonly Column<AssetResponse>[] = [
  { header: 'ID', value: (asset) => asset.id, align: 'right' },
  { header: 'NAME', value: (asset) => asset.name },
  { header: 'URI', value: (asset) => asset.uri },
  { header: 'PRODUCED_BY', value: (asset) => tasks(asset.producing_tasks) },
  { header: 'CONSUMED_BY', value: (asset) => tasks(asset.consuming_tasks) },
  { header: 'LAST_EVENT', value: (asset) => formatTime(asset.last_asset_event?.timestamp) },
];

const ASSET_EVENT_COLUMNS: readonly Column<AssetEventResponse>[] = [
  { header: 'ID', value: (event) => event.id, align: 'right' },
  { header: 'ASSET', value: (event) => event.asset_name },
  { header: 'TIMESTAMP', value: (event) => formatTime(event.timestamp) },
  { header: 'SOURCE', value: (event) => eventSource(event) },
];

/** `task orders/run/load[2]`, `api alice`, `watcher new_files`. */
function eventSource(event: AssetEventResponse): string {
  if (event.source_kind === 'api') return `api ${event.source_user ?? '-'}`;
  if (event.source_kind === 'watcher') return `watcher ${event.source_watcher ?? '-'}`;
  const mapIndex = event.source_map_index !== null && event.source_map_index >= 0 ? `[${event.source_map_index}]` : '';
  return `task ${event.source_dag_id ?? '-'}/${event.source_run_id ?? '-'}/${event.source_task_id ?? '-'}${mapIndex}`;
}
