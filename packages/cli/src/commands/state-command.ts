import {
  encodeStateValue,
  JsonTooDeepError,
  jsonTextExceedsDepth,
  MAX_JSON_DEPTH,
  type StateHistoryEntryResponse,
  type StateWriterResponse,
  TidemarkError,
} from '@tidemark/core';
import { type Command, Option } from 'commander';
import { apiCommandGroup, usageError, wholeNumber, withApiUrl } from '../api/api-command.ts';
import { connectApi } from '../api/api-connection.ts';
import type { PublicApiClient, TaskStateAddress } from '../api/public-api-client.ts';
import { formatTime, printJson, printLine, printTable } from '../output/print.ts';
import type { Column } from '../output/table.ts';

interface ScopeOptions {
  apiUrl?: string;
  json?: boolean;
  dag?: string;
  run?: string;
  task?: string;
  mapIndex?: number;
  asset?: string;
}

interface ListOptions extends ScopeOptions {
  limit: number;
  offset: number;
}

interface SetOptions extends ScopeOptions {
  expires?: string;
  ifVersion?: number;
}

interface DeleteOptions extends ScopeOptions {
  ifVersion?: number;
}

interface RestoreOptions extends ScopeOptions {
  version: number;
  ifVersion?: number;
}

interface ClearOptions extends ScopeOptions {
  allMapIndices?: boolean;
}

/** Where a state command reads or writes: one task instance's task state, or one asset's state. */
export type StateTarget =
  | { readonly kind: 'task'; readonly ti: TaskStateAddress }
  | { readonly kind: 'asset'; readonly name: string };

/** `tidemark state get|set|delete|list|clear|history|restore` over the public API (SPEC §11.2). */
export function stateCommand(): Command {
  const state = apiCommandGroup(
    'state',
    'read and edit task state (--dag --run --task [--map-index]) and asset state (--asset) through the api-server',
  );

  scoped(state.command('get').description('print the value of a key (as JSON)').argument('<key>')).action(
    async (key: string, options: ScopeOptions, command: Command) => {
      const target = targetOf(options, command);
      const { client, assetId } = await connect(options, target);
      const entry =
        assetId === undefined ? await client.getTaskState(tiOf(target), key) : await client.getAssetState(assetId, key);
      if (options.json) return printJson(entry);
      printLine(JSON.stringify(entry.value, null, 2));
    },
  );

  scoped(
    state
      .command('set')
      .description('set a key to a JSON value, e.g. tidemark state set cursor \'{"page": 3}\' --dag …')
      .argument('<key>')
      .argument('<json>', 'the value, as JSON (a JSON string needs its quotes: \'"text"\')'),
  )
    .option('--expires <when>', 'task state only: "default" (state.default_retention), "never" or an ISO-8601 time')
    .option('--if-version <n>', 'write only if the key is at this version (0: only if absent)', wholeNumber(0))
    .action(async (key: string, json: string, options: SetOptions, command: Command) => {
      const value = parseValue(json, command);
      const target = targetOf(options, command);
      if (target.kind === 'asset' && options.expires !== undefined) {
        usageError(command, '--expires applies to task state only: asset state never expires');
      }
      const expiresAt = expiryOf(options.expires, command);
      const { client, assetId } = await connect(options, target);
      const ifVersion = options.ifVersion === undefined ? {} : { ifVersion: options.ifVersion };
      if (assetId === undefined) {
        const entry = await client.setTaskState(tiOf(target), key, value, {
          ...ifVersion,
          ...(expiresAt === undefined ? {} : { expiresAt }),
        });
        if (options.json) return printJson(entry);
        const expiry = entry.expires_at === null ? 'never expires' : `expires ${formatTime(entry.expires_at)}`;
        return printLine(`Set ${describeKey(key, target)} (version ${entry.version}; ${expiry}).`);
      }
      const entry = await client.setAssetState(assetId, key, value, ifVersion);
      if (options.json) return printJson(entry);
      printLine(`Set ${describeKey(key, target)} (version ${entry.version}).`);
    });

  scoped(state.command('delete').description('delete a key').argument('<key>'))
    .option('--if-version <n>', 'delete only if the key is at this version', wholeNumber(0))
    .action(async (key: string, options: DeleteOptions, command: Command) => {
      const target = targetOf(options, command);
      const { client, assetId } = await connect(options, target);
      const ifVersion = options.ifVersion === undefined ? {} : { ifVersion: options.ifVersion };
      if (assetId === undefined) await client.deleteTaskState(tiOf(target), key, ifVersion);
      else await client.deleteAssetState(assetId, key, ifVersion);
      if (options.json) return printJson({ deleted: key });
      printLine(`Deleted ${describeKey(key, target)}.`);
    });

  scoped(state.command('list').description('list the keys with their values'))
    .option('--limit <n>', 'at most this many', wholeNumber(1), 100)
    .option('--offset <n>', 'skip this many', wholeNumber(0), 0)
    .action(async (options: ListOptions, command: Command) => {
      const target = targetOf(options, command);
      const { client, assetId } = await connect(options, target);
      const query = { limit: options.limit, offset: options.offset };
      const empty = `No state keys for ${describeTarget(target)}.`;
      if (assetId === undefined) {
        const page = await client.listTaskState(tiOf(target), query);
        if (options.json) return printJson(page);
        return printTable(TASK_STATE_COLUMNS, page.task_state_store, {
          empty,
          total: page.total_entries,
          offset: options.offset,
        });
      }
      const page = await client.listAssetState(assetId, query);
      if (options.json) return printJson(page);
      printTable(ASSET_STATE_COLUMNS, page.asset_state_store, {
        empty,
        total: page.total_entries,
        offset: options.offset,
      });
    });

  scoped(state.command('clear').description('delete every key'))
    .option('--all-map-indices', 'task state only: every map index of the task in that run')
    .action(async (options: ClearOptions, command: Command) => {
      const target = targetOf(options, command);
      if (target.kind === 'asset' && options.allMapIndices) {
        usageError(command, '--all-map-indices applies to task state only');
      }
      const { client, assetId } = await connect(options, target);
      if (assetId === undefined)
        await client.clearTaskState(tiOf(target), { allMapIndices: Boolean(options.allMapIndices) });
      else await client.clearAssetState(assetId);
      if (options.json) return printJson({ cleared: true });
      const which = options.allMapIndices ? `${describeTarget(target)}, every map index` : describeTarget(target);
      printLine(`Cleared the state of ${which}.`);
    });

  scoped(
    state.command('history').description('list the last versions of a key, newest first').argument('<key>'),
  ).action(async (key: string, options: ScopeOptions, command: Command) => {
    const target = targetOf(options, command);
    const { client, assetId } = await connect(options, target);
    const history =
      assetId === undefined
        ? await client.getTaskStateHistory(tiOf(target), key)
        : await client.getAssetStateHistory(assetId, key);
    if (options.json) return printJson(history);
    printTable(HISTORY_COLUMNS, history.history, { empty: `No history for ${describeKey(key, target)}.` });
  });

  scoped(
    state
      .command('restore')
      .description('write a version from the history of a key again, as a new version (see "state history")')
      .argument('<key>'),
  )
    .requiredOption('--version <n>', 'the version to restore, as listed by "tidemark state history"', wholeNumber(1))
    .option(
      '--if-version <m>',
      'restore only if the key is now at this version (0: it is deleted); without it, the current version is ' +
        'read first and sent: the restore replaces whatever is there now, and fails only if a write lands ' +
        'between that read and the restore',
      wholeNumber(0),
    )
    .action(async (key: string, options: RestoreOptions, command: Command) => {
      const target = targetOf(options, command);
      const { client, assetId } = await connect(options, target);
      const ifVersion = options.ifVersion ?? (await currentVersion(client, target, assetId, key));
      const entry =
        assetId === undefined
          ? await client.restoreTaskState(tiOf(target), key, options.version, { ifVersion })
          : await client.restoreAssetState(assetId, key, options.version, { ifVersion });
      if (options.json) return printJson(entry);
      printLine(`Restored version ${options.version} of ${describeKey(key, target)} as version ${entry.version}.`);
    });

  return state;
}

/** The scope options and `--json` every state subcommand takes. */
function scoped(command: Command): Command {
  return withApiUrl(command)
    .option('--dag <dag_id>', 'task state: the DAG')
    .option('--run <run_id>', 'task state: the DAG run')
    .option('--task <task_id>', 'task state: the task')
    .option('--map-index <n>', 'task state: the map index of a mapped task', wholeNumber(-1))
    .addOption(
      new Option('--asset <name>', 'asset state: the asset, by name').conflicts(['dag', 'run', 'task', 'mapIndex']),
    )
    .option('--json', 'print the API response as JSON');
}

/** `--asset`, or all of `--dag --run --task`; else a usage error (exit 2). */
export function resolveTarget(options: ScopeOptions): StateTarget | { problem: string } {
  if (options.asset !== undefined) return { kind: 'asset', name: options.asset };
  const missing = (['dag', 'run', 'task'] as const).filter((name) => options[name] === undefined);
  if (missing.length === 3) return { problem: 'name the state: --dag, --run and --task (task state) or --asset' };
  if (missing.length > 0) {
    return {
      problem: `task state needs --dag, --run and --task; missing ${missing.map((name) => `--${name}`).join(', ')}`,
    };
  }
  return {
    kind: 'task',
    ti: {
      dagId: options.dag as string,
      runId: options.run as string,
      taskId: options.task as string,
      mapIndex: options.mapIndex,
    },
  };
}

function targetOf(options: ScopeOptions, command: Command): StateTarget {
  const target = resolveTarget(options);
  if ('problem' in target) usageError(command, target.problem);
  return target;
}

/** A command-line JSON value; `null` is refused here as the API would (delete the key instead). */
export function parseStateValue(text: string): { value: unknown } | { problem: string } {
  // Checked on the text first: a value nested thousands deep is refused before anything walks it.
  if (jsonTextExceedsDepth(text, MAX_JSON_DEPTH))
    return { problem: new JsonTooDeepError('state value', MAX_JSON_DEPTH).message };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return {
      problem: `the value is not valid JSON (${(error as Error).message}); a string needs its quotes, e.g. '"text"'`,
    };
  }
  if (value === null) return { problem: 'the value must not be null; use "tidemark state delete" to remove a key' };
  try {
    // The API's own rules (core): JSON.parse reads 1e999 as Infinity, which would be sent as null.
    encodeStateValue(value, 0);
  } catch (error) {
    if (error instanceof TidemarkError) return { problem: error.message };
    throw error;
  }
  return { value };
}

function parseValue(text: string, command: Command): unknown {
  const parsed = parseStateValue(text);
  if ('problem' in parsed) usageError(command, parsed.problem);
  return parsed.value;
}

/** `--expires`: "default" | "never" | ISO-8601 → the API's `expires_at`. */
export function parseExpires(text: string | undefined): { expiresAt: string | null | undefined } | { problem: string } {
  if (text === undefined || text === 'default') return { expiresAt: text };
  if (text === 'never') return { expiresAt: null };
  if (!/^\d{4}-\d{2}-\d{2}T/.test(text) || Number.isNaN(Date.parse(text))) {
    return {
      problem: `--expires must be "default", "never" or an ISO-8601 time such as 2026-12-31T00:00:00Z, not "${text}"`,
    };
  }
  return { expiresAt: new Date(Date.parse(text)).toISOString() };
}

function expiryOf(text: string | undefined, command: Command): string | null | undefined {
  const parsed = parseExpires(text);
  if ('problem' in parsed) usageError(command, parsed.problem);
  return parsed.expiresAt;
}

async function connect(
  options: ScopeOptions,
  target: StateTarget,
): Promise<{ client: PublicApiClient; assetId: number | undefined }> {
  const client = connectApi(options);
  if (target.kind === 'task') return { client, assetId: undefined };
  const assetId = await client.findAssetId(target.name);
  if (assetId === undefined) {
    throw new TidemarkError(
      'asset_not_found',
      `no asset named "${target.name}"; "tidemark assets list" shows the assets`,
    );
  }
  return { client, assetId };
}

/** The key's version now; 0 when it is absent (deleted), which is what If-Match names then. */
async function currentVersion(
  client: PublicApiClient,
  target: StateTarget,
  assetId: number | undefined,
  key: string,
): Promise<number> {
  try {
    const entry =
      assetId === undefined ? await client.getTaskState(tiOf(target), key) : await client.getAssetState(assetId, key);
    return entry.version;
  } catch (error) {
    if (error instanceof TidemarkError && error.code === 'state_not_found') return 0;
    throw error;
  }
}

function tiOf(target: StateTarget): TaskStateAddress {
  if (target.kind !== 'task') throw new Error('tiOf() on asset state');
  return target.ti;
}

function describeTarget(target: StateTarget): string {
  if (target.kind === 'asset') return `asset ${target.name}`;
  const { ti } = target;
  const mapped = ti.mapIndex === undefined || ti.mapIndex < 0 ? '' : `[${ti.mapIndex}]`;
  return `task ${ti.taskId}${mapped} of run ${ti.runId} of DAG ${ti.dagId}`;
}

function describeKey(key: string, target: StateTarget): string {
  return `key ${JSON.stringify(key)} of ${describeTarget(target)}`;
}

/** A value in a table cell: compact JSON, cut to keep the table readable. */
export function valueCell(value: unknown): string {
  const text = JSON.stringify(value) ?? '';
  return text.length > 60 ? `${text.slice(0, 59)}…` : text;
}

export function writerCell(writer: StateWriterResponse): string | null {
  if (writer === null) return null;
  if (writer.kind === 'api') return `api:${writer.user}`;
  if (writer.kind === 'system') return `system:${writer.reason}`;
  if (writer.kind === 'watcher') return `watcher:${writer.watcher}`;
  const mapped = writer.map_index < 0 ? '' : `[${writer.map_index}]`;
  return `${writer.kind}:${writer.dag_id}.${writer.task_id}${mapped}@${writer.run_id}#${writer.try_number}`;
}

const TASK_STATE_COLUMNS: readonly Column<{
  key: string;
  value: unknown;
  version: number;
  updated_at: string;
  expires_at: string | null;
}>[] = [
  { header: 'KEY', value: (entry) => entry.key },
  { header: 'VERSION', value: (entry) => entry.version, align: 'right' },
  { header: 'UPDATED', value: (entry) => formatTime(entry.updated_at) },
  { header: 'EXPIRES', value: (entry) => (entry.expires_at === null ? 'never' : formatTime(entry.expires_at)) },
  { header: 'VALUE', value: (entry) => valueCell(entry.value) },
];

const ASSET_STATE_COLUMNS: readonly Column<{
  key: string;
  value: unknown;
  version: number;
  updated_at: string;
  last_updated_by: StateWriterResponse;
}>[] = [
  { header: 'KEY', value: (entry) => entry.key },
  { header: 'VERSION', value: (entry) => entry.version, align: 'right' },
  { header: 'UPDATED', value: (entry) => formatTime(entry.updated_at) },
  { header: 'UPDATED_BY', value: (entry) => writerCell(entry.last_updated_by) },
  { header: 'VALUE', value: (entry) => valueCell(entry.value) },
];

const HISTORY_COLUMNS: readonly Column<StateHistoryEntryResponse>[] = [
  { header: 'VERSION', value: (entry) => entry.version, align: 'right' },
  { header: 'OPERATION', value: (entry) => entry.operation },
  { header: 'WRITTEN', value: (entry) => formatTime(entry.written_at) },
  { header: 'WRITTEN_BY', value: (entry) => writerCell(entry.written_by) },
  { header: 'VALUE', value: (entry) => (entry.operation === 'delete' ? null : valueCell(entry.value)) },
];
