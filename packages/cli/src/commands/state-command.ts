import {
  encodeStateValue,
  JsonTooDeepError,
  jsonTextExceedsDepth,
  MAX_JSON_DEPTH,
  type StateHistoryEntryResponse,
  type StateHistoryResponse,
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
  itemKey?: string;
  asset?: string;
  dagScope?: boolean;
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

/**
 * Where a state command reads or writes: one task instance's task state (or one item's, for an
 * item-keyed mapped task), one asset's state, or one DAG's state (SPEC §17).
 */
export type StateTarget =
  | { readonly kind: 'task'; readonly ti: TaskStateAddress }
  | { readonly kind: 'asset'; readonly name: string }
  | { readonly kind: 'dag'; readonly dagId: string };

/** `tidemark state get|set|delete|list|clear|history|restore` over the public API (SPEC §11.2). */
export function stateCommand(): Command {
  const state = apiCommandGroup(
    'state',
    'read and edit task state (--dag --run --task [--map-index | --item-key]), asset state (--asset) and ' +
      'DAG state (--dag --dag-scope) through the api-server',
  );

  scoped(state.command('get').description('print the value of a key (as JSON)').argument('<key>')).action(
    async (key: string, options: ScopeOptions, command: Command) => {
      const api = await connect(options, targetOf(options, command));
      const entry = await api.get(key);
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
    .option(
      '--expires <when>',
      'task state: "default" (state.default_retention), "never" or an ISO-8601 time; DAG state: "never" (the ' +
        'default) or an ISO-8601 time',
    )
    .option('--if-version <n>', 'write only if the key is at this version (0: only if absent)', wholeNumber(0))
    .action(async (key: string, json: string, options: SetOptions, command: Command) => {
      const value = parseValue(json, command);
      const target = targetOf(options, command);
      if (target.kind === 'asset' && options.expires !== undefined) {
        usageError(command, '--expires applies to task and DAG state only: asset state never expires');
      }
      const expiresAt = expiryOf(options.expires, command);
      const api = await connect(options, target);
      const entry = await api.set(key, value, {
        ...(options.ifVersion === undefined ? {} : { ifVersion: options.ifVersion }),
        ...(expiresAt === undefined ? {} : { expiresAt }),
      });
      if (options.json) return printJson(entry);
      if (entry.expires_at === undefined)
        return printLine(`Set ${describeKey(key, target)} (version ${entry.version}).`);
      const expiry = entry.expires_at === null ? 'never expires' : `expires ${formatTime(entry.expires_at)}`;
      printLine(`Set ${describeKey(key, target)} (version ${entry.version}; ${expiry}).`);
    });

  scoped(state.command('delete').description('delete a key').argument('<key>'))
    .option('--if-version <n>', 'delete only if the key is at this version', wholeNumber(0))
    .action(async (key: string, options: DeleteOptions, command: Command) => {
      const target = targetOf(options, command);
      const api = await connect(options, target);
      await api.delete(key, options.ifVersion === undefined ? {} : { ifVersion: options.ifVersion });
      if (options.json) return printJson({ deleted: key });
      printLine(`Deleted ${describeKey(key, target)}.`);
    });

  scoped(state.command('list').description('list the keys with their values'))
    .option('--limit <n>', 'at most this many', wholeNumber(1), 100)
    .option('--offset <n>', 'skip this many', wholeNumber(0), 0)
    .action(async (options: ListOptions, command: Command) => {
      const target = targetOf(options, command);
      const api = await connect(options, target);
      const page = await api.list({ limit: options.limit, offset: options.offset });
      if (options.json) return printJson(page.body);
      printTable(api.columns, page.entries, {
        empty: `No state keys for ${describeTarget(target)}.`,
        total: page.total,
        offset: options.offset,
      });
    });

  scoped(state.command('clear').description('delete every key'))
    .option('--all-map-indices', 'task state only: every map index (and item key) of the task in that run')
    .action(async (options: ClearOptions, command: Command) => {
      const target = targetOf(options, command);
      if (target.kind !== 'task' && options.allMapIndices) {
        usageError(command, '--all-map-indices applies to task state only');
      }
      const api = await connect(options, target);
      await api.clear(Boolean(options.allMapIndices));
      if (options.json) return printJson({ cleared: true });
      const which = options.allMapIndices ? `${describeTarget(target)}, every map index` : describeTarget(target);
      printLine(`Cleared the state of ${which}.`);
    });

  scoped(
    state.command('history').description('list the last versions of a key, newest first').argument('<key>'),
  ).action(async (key: string, options: ScopeOptions, command: Command) => {
    const target = targetOf(options, command);
    const history = await (await connect(options, target)).history(key);
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
      const api = await connect(options, target);
      const ifVersion = options.ifVersion ?? (await currentVersion(api, key));
      const entry = await api.restore(key, options.version, { ifVersion });
      if (options.json) return printJson(entry);
      printLine(`Restored version ${options.version} of ${describeKey(key, target)} as version ${entry.version}.`);
    });

  return state;
}

/** The scope options and `--json` every state subcommand takes. */
function scoped(command: Command): Command {
  return withApiUrl(command)
    .option('--dag <dag_id>', 'task state: the DAG; with --dag-scope: the DAG whose DAG state it is')
    .option('--run <run_id>', 'task state: the DAG run')
    .option('--task <task_id>', 'task state: the task')
    .option('--map-index <n>', 'task state: the map index of a mapped task', wholeNumber(-1))
    .addOption(
      new Option('--item-key <key>', 'task state: the item key of a task mapped with stateKey').conflicts('mapIndex'),
    )
    .addOption(
      new Option('--asset <name>', 'asset state: the asset, by name').conflicts([
        'dag',
        'run',
        'task',
        'mapIndex',
        'itemKey',
      ]),
    )
    .addOption(
      new Option('--dag-scope', 'DAG state: the state of --dag, shared by its runs and tasks').conflicts([
        'run',
        'task',
        'mapIndex',
        'itemKey',
        'asset',
      ]),
    )
    .option('--json', 'print the API response as JSON');
}

/** `--asset`, `--dag --dag-scope`, or all of `--dag --run --task`; else a usage error (exit 2). */
export function resolveTarget(options: ScopeOptions): StateTarget | { problem: string } {
  if (options.asset !== undefined) return { kind: 'asset', name: options.asset };
  if (options.dagScope) {
    if (options.dag === undefined) return { problem: 'DAG state needs --dag <dag_id> with --dag-scope' };
    return { kind: 'dag', dagId: options.dag };
  }
  const missing = (['dag', 'run', 'task'] as const).filter((name) => options[name] === undefined);
  if (missing.length === 3) {
    return { problem: 'name the state: --dag, --run and --task (task state), --asset, or --dag with --dag-scope' };
  }
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
      ...(options.itemKey === undefined ? {} : { itemKey: options.itemKey }),
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

/** One scope's state through the public API, the same calls whatever the kind of state. */
interface ScopedStateApi {
  /** The table `state list` prints. */
  readonly columns: readonly Column<StateRow>[];
  get(key: string): Promise<{ readonly value: unknown; readonly version: number }>;
  /** `expires_at` is absent for asset state (it never expires). */
  set(
    key: string,
    value: unknown,
    options: { ifVersion?: number; expiresAt?: string | null },
  ): Promise<{ readonly version: number; readonly expires_at?: string | null }>;
  delete(key: string, options: { ifVersion?: number }): Promise<void>;
  list(query: {
    limit: number;
    offset: number;
  }): Promise<{ body: unknown; entries: readonly StateRow[]; total: number }>;
  clear(allMapIndices: boolean): Promise<void>;
  history(key: string): Promise<StateHistoryResponse>;
  restore(key: string, version: number, options: { ifVersion: number }): Promise<{ readonly version: number }>;
}

interface StateRow {
  readonly key: string;
  readonly value: unknown;
  readonly version: number;
  readonly updated_at: string;
  readonly expires_at?: string | null;
  readonly last_updated_by?: StateWriterResponse;
}

async function connect(options: ScopeOptions, target: StateTarget): Promise<ScopedStateApi> {
  const client = connectApi(options);
  if (target.kind === 'task') return taskStateApi(client, target.ti);
  if (target.kind === 'dag') return dagStateApi(client, target.dagId);
  const assetId = await client.findAssetId(target.name);
  if (assetId === undefined) {
    throw new TidemarkError(
      'asset_not_found',
      `no asset named "${target.name}"; "tidemark assets list" shows the assets`,
    );
  }
  return assetStateApi(client, assetId);
}

function taskStateApi(client: PublicApiClient, ti: TaskStateAddress): ScopedStateApi {
  return {
    columns: TASK_STATE_COLUMNS,
    get: (key) => client.getTaskState(ti, key),
    // `--expires` omitted: the server's default retention.
    set: (key, value, { expiresAt, ...rest }) =>
      client.setTaskState(ti, key, value, { ...rest, ...(expiresAt === undefined ? {} : { expiresAt }) }),
    delete: (key, options) => client.deleteTaskState(ti, key, options),
    list: async (query) => {
      const page = await client.listTaskState(ti, query);
      return { body: page, entries: page.task_state_store, total: page.total_entries };
    },
    clear: (allMapIndices) => client.clearTaskState(ti, { allMapIndices }),
    history: (key) => client.getTaskStateHistory(ti, key),
    restore: (key, version, options) => client.restoreTaskState(ti, key, version, options),
  };
}

function assetStateApi(client: PublicApiClient, assetId: number): ScopedStateApi {
  return {
    columns: ASSET_STATE_COLUMNS,
    get: (key) => client.getAssetState(assetId, key),
    set: (key, value, { ifVersion }) =>
      client.setAssetState(assetId, key, value, ifVersion === undefined ? {} : { ifVersion }),
    delete: (key, options) => client.deleteAssetState(assetId, key, options),
    list: async (query) => {
      const page = await client.listAssetState(assetId, query);
      return { body: page, entries: page.asset_state_store, total: page.total_entries };
    },
    clear: () => client.clearAssetState(assetId),
    history: (key) => client.getAssetStateHistory(assetId, key),
    restore: (key, version, options) => client.restoreAssetState(assetId, key, version, options),
  };
}

function dagStateApi(client: PublicApiClient, dagId: string): ScopedStateApi {
  return {
    columns: DAG_STATE_COLUMNS,
    get: (key) => client.getDagState(dagId, key),
    // DAG state never expires unless told: `--expires default` is `never` too.
    set: (key, value, { expiresAt, ...rest }) =>
      client.setDagState(dagId, key, value, { ...rest, expiresAt: expiresAt === 'default' ? null : expiresAt }),
    delete: (key, options) => client.deleteDagState(dagId, key, options),
    list: async (query) => {
      const page = await client.listDagState(dagId, query);
      return { body: page, entries: page.dag_state_store, total: page.total_entries };
    },
    clear: () => client.clearDagState(dagId),
    history: (key) => client.getDagStateHistory(dagId, key),
    restore: (key, version, options) => client.restoreDagState(dagId, key, version, options),
  };
}

/** The key's version now; 0 when it is absent (deleted), which is what If-Match names then. */
async function currentVersion(api: ScopedStateApi, key: string): Promise<number> {
  try {
    return (await api.get(key)).version;
  } catch (error) {
    if (error instanceof TidemarkError && error.code === 'state_not_found') return 0;
    throw error;
  }
}

function describeTarget(target: StateTarget): string {
  if (target.kind === 'asset') return `asset ${target.name}`;
  if (target.kind === 'dag') return `DAG ${target.dagId}`;
  const { ti } = target;
  const mapped =
    ti.itemKey !== undefined
      ? ` item ${JSON.stringify(ti.itemKey)}`
      : ti.mapIndex === undefined || ti.mapIndex < 0
        ? ''
        : `[${ti.mapIndex}]`;
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

const TASK_STATE_COLUMNS: readonly Column<StateRow>[] = [
  { header: 'KEY', value: (entry) => entry.key },
  { header: 'VERSION', value: (entry) => entry.version, align: 'right' },
  { header: 'UPDATED', value: (entry) => formatTime(entry.updated_at) },
  { header: 'EXPIRES', value: (entry) => (entry.expires_at ? formatTime(entry.expires_at) : 'never') },
  { header: 'VALUE', value: (entry) => valueCell(entry.value) },
];

const ASSET_STATE_COLUMNS: readonly Column<StateRow>[] = [
  { header: 'KEY', value: (entry) => entry.key },
  { header: 'VERSION', value: (entry) => entry.version, align: 'right' },
  { header: 'UPDATED', value: (entry) => formatTime(entry.updated_at) },
  { header: 'UPDATED_BY', value: (entry) => writerCell(entry.last_updated_by ?? null) },
  { header: 'VALUE', value: (entry) => valueCell(entry.value) },
];

const DAG_STATE_COLUMNS: readonly Column<StateRow>[] = [
  { header: 'KEY', value: (entry) => entry.key },
  { header: 'VERSION', value: (entry) => entry.version, align: 'right' },
  { header: 'UPDATED', value: (entry) => formatTime(entry.updated_at) },
  { header: 'EXPIRES', value: (entry) => (entry.expires_at ? formatTime(entry.expires_at) : 'never') },
  { header: 'UPDATED_BY', value: (entry) => writerCell(entry.last_updated_by ?? null) },
  { header: 'VALUE', value: (entry) => valueCell(entry.value) },
];

const HISTORY_COLUMNS: readonly Column<StateHistoryEntryResponse>[] = [
  { header: 'VERSION', value: (entry) => entry.version, align: 'right' },
  { header: 'OPERATION', value: (entry) => entry.operation },
  { header: 'WRITTEN', value: (entry) => formatTime(entry.written_at) },
  { header: 'WRITTEN_BY', value: (entry) => writerCell(entry.written_by) },
  { header: 'VALUE', value: (entry) => (entry.operation === 'delete' ? null : valueCell(entry.value)) },
];
