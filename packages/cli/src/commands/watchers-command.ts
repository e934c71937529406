import { WATCHER_STATUSES, type WatcherResponse } from '@tidemark/core';
import { type Command, Option } from 'commander';
import { apiCommandGroup, wholeNumber, withApiUrl } from '../api/api-command.ts';
import { connectApi } from '../api/api-connection.ts';
import { formatTime, printJson, printTable } from '../output/print.ts';
import type { Column } from '../output/table.ts';

interface ListOptions {
  apiUrl?: string;
  json?: boolean;
  dagId?: string;
  status?: string;
  limit: number;
  offset: number;
}

/** `tidemark watchers list` over the public API (SPEC §15.3). */
export function watchersCommand(): Command {
  const watchers = apiCommandGroup('watchers', 'list asset watchers and their status (through the api-server)');

  withApiUrl(watchers.command('list').description('list the watchers DAG files declare on assets, with their status'))
    .option('--dag-id <dag_id>', 'only the watchers this DAG declares')
    .addOption(new Option('--status <status>', 'only watchers in this status').choices(WATCHER_STATUSES))
    .option('--limit <n>', 'at most this many', wholeNumber(1), 100)
    .option('--offset <n>', 'skip this many', wholeNumber(0), 0)
    .option('--json', 'print the API response as JSON')
    .action(async (options: ListOptions) => {
      const page = await connectApi(options).listWatchers({
        dag_id: options.dagId,
        status: options.status,
        limit: options.limit,
        offset: options.offset,
      });
      if (options.json) return printJson(page);
      const filters = [options.dagId && `of DAG ${options.dagId}`, options.status && `in status ${options.status}`];
      printTable(WATCHER_COLUMNS, page.watchers, {
        empty: `No watchers${filters
          .filter(Boolean)
          .map((filter) => ` ${filter}`)
          .join('')}.`,
        total: page.total_entries,
        offset: options.offset,
      });
    });
  return watchers;
}

/** A long error message would push every other column off the screen. */
const MAX_ERROR_CHARS = 80;

const WATCHER_COLUMNS: readonly Column<WatcherResponse>[] = [
  { header: 'NAME', value: (watcher) => watcher.name },
  { header: 'ASSET', value: (watcher) => watcher.asset_name },
  { header: 'DAG', value: (watcher) => watcher.dag_id },
  { header: 'STATUS', value: (watcher) => watcher.status },
  { header: 'TRIGGERER', value: (watcher) => watcher.triggerer },
  { header: 'LAST_POLL', value: (watcher) => formatTime(watcher.last_poll_at) },
  { header: 'LAST_EVENT', value: (watcher) => formatTime(watcher.last_event_at) },
  { header: 'EVENTS', value: (watcher) => watcher.event_count, align: 'right' },
  { header: 'FAILURES', value: (watcher) => watcher.failure_count, align: 'right' },
  { header: 'LAST_ERROR', value: (watcher) => shorten(watcher.last_error) },
];

function shorten(text: string | null): string | null {
  if (text === null) return null;
  const line = text.replace(/\s*\n\s*/g, ' ');
  return line.length > MAX_ERROR_CHARS ? `${line.slice(0, MAX_ERROR_CHARS - 1)}…` : line;
}
