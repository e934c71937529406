import {
  isTidemarkError,
  TASK_INSTANCE_STATE_FILTERS,
  type TaskLogResponse,
  type XcomEntryWithValueResponse,
} from '@tidemark/core';
import { Argument, type Command, Option } from 'commander';
import { apiCommandGroup, wholeNumber, withApiUrl } from '../api/api-command.ts';
import { connectApi } from '../api/api-connection.ts';
import { TASK_INSTANCE_COLUMNS, TASK_INSTANCE_WITH_RUN_COLUMNS } from '../output/columns.ts';
import { printJson, printLine, printTable } from '../output/print.ts';
import type { Column } from '../output/table.ts';

interface ApiOptions {
  apiUrl?: string;
  json?: boolean;
}

interface ListOptions extends ApiOptions {
  state?: string;
  limit: number;
  offset: number;
}

interface LogsOptions extends ApiOptions {
  try?: number;
  mapIndex?: number;
  follow?: boolean;
}

interface ClearOptions extends ApiOptions {
  runId?: string;
  taskId?: string[];
  onlyFailed?: boolean;
  keepTaskState?: boolean;
  dryRun?: boolean;
}

interface XcomOptions extends ApiOptions {
  mapIndex?: number;
  key?: string;
}

interface MarkOptions extends ApiOptions {
  mapIndex?: number;
}

const FOLLOW_INTERVAL_MS = 1_000;

/** `tidemark tasks list|xcom|logs|clear|mark` over the public API. */
export function tasksCommand(): Command {
  const tasks = apiCommandGroup(
    'tasks',
    'list task instances, read their logs, clear and mark them (through the api-server)',
  );

  withApiUrl(
    tasks.command('list').description('list the task instances of a run').argument('<dag_id>').argument('<run_id>'),
  )
    .addOption(
      new Option('--state <state>', 'only task instances in this state ("none": not scheduled yet)').choices(
        TASK_INSTANCE_STATE_FILTERS,
      ),
    )
    .option('--limit <n>', 'at most this many', wholeNumber(1), 100)
    .option('--offset <n>', 'skip this many', wholeNumber(0), 0)
    .option('--json', 'print the API response as JSON')
    .action(async (dagId: string, runId: string, options: ListOptions) => {
      const page = await connectApi(options).listTaskInstances(dagId, runId, {
        state: options.state,
        limit: options.limit,
        offset: options.offset,
      });
      if (options.json) return printJson(page);
      printTable(TASK_INSTANCE_COLUMNS, page.task_instances, {
        empty: `No task instances in run ${runId} of DAG ${dagId}${options.state ? ` in state ${options.state}` : ''}.`,
        total: page.total_entries,
        offset: options.offset,
      });
    });

  withApiUrl(
    tasks
      .command('xcom')
      .description('list the XComs of a task instance with their values (return_value is what the task returned)')
      .argument('<dag_id>')
      .argument('<run_id>')
      .argument('<task_id>'),
  )
    .option('--map-index <n>', 'only this map index of a mapped task (default: every map index)', wholeNumber(-1))
    .option('--key <key>', 'print only the value of this XCom, as JSON')
    .option('--json', 'print the entries with their values as JSON')
    .action(async (dagId: string, runId: string, taskId: string, options: XcomOptions) => {
      const client = connectApi(options);
      if (options.key !== undefined) {
        const entry = await client.getXcomEntry(dagId, runId, taskId, options.key, options.mapIndex);
        return options.json ? printJson(entry) : printLine(JSON.stringify(entry.value, null, 2));
      }
      const page = await client.listXcomEntries(dagId, runId, taskId, { map_index: options.mapIndex, limit: 1_000 });
      const entries = await Promise.all(
        page.xcom_entries.map((entry) => client.getXcomEntry(dagId, runId, taskId, entry.key, entry.map_index)),
      );
      if (options.json) return printJson({ xcom_entries: entries, total_entries: page.total_entries });
      printTable(XCOM_COLUMNS, entries, {
        empty: `No XComs of task ${taskId} in run ${runId} of DAG ${dagId}.`,
        total: page.total_entries,
      });
    });

  withApiUrl(
    tasks
      .command('logs')
      .description('print the log of one try of a task instance (the latest try by default)')
      .argument('<dag_id>')
      .argument('<run_id>')
      .argument('<task_id>'),
  )
    .option('--try <n>', 'the try number (default: the latest)', wholeNumber(1))
    .option('--map-index <n>', 'the map index of a mapped task', wholeNumber(-1))
    .option('-f, --follow', 'keep printing new lines until the try is over')
    .action(async (dagId: string, runId: string, taskId: string, options: LogsOptions) => {
      const client = connectApi(options);
      let tryNumber = options.try;
      if (tryNumber === undefined) {
        const ti = await client.getTaskInstance(dagId, runId, taskId, options.mapIndex);
        if (ti.try_number === 0) {
          return printLine(`Task ${taskId} of run ${runId} has not started a try yet (state ${ti.state ?? 'none'}).`);
        }
        tryNumber = ti.try_number;
      }
      // Following a try we know has started: its first line may not have reached the api-server yet.
      const mayNotHaveLogged = options.follow && options.try === undefined;
      let offset: string | undefined;
      for (;;) {
        let chunk: TaskLogResponse;
        try {
          chunk = await client.getTaskLog(dagId, runId, taskId, tryNumber, { map_index: options.mapIndex, offset });
        } catch (error) {
          if (!(mayNotHaveLogged && offset === undefined && isNotFound(error))) throw error;
          await sleep(FOLLOW_INTERVAL_MS);
          continue;
        }
        process.stdout.write(chunk.content);
        if (chunk.continuation_token === null) return; // the try is over and all of it was read
        offset = chunk.continuation_token;
        if (chunk.complete) {
          if (!options.follow) return;
          await sleep(FOLLOW_INTERVAL_MS);
        }
      }
    });

  withApiUrl(
    tasks.command('clear').description('clear task instances so the scheduler runs them again').argument('<dag_id>'),
  )
    .option('--run-id <id>', 'only this run (default: every run of the DAG)')
    .option('--task-id <task_id...>', 'only these tasks (repeat it or list several)')
    .option('--only-failed', 'only failed and upstream_failed task instances')
    .option('--keep-task-state', "keep the tasks' task state (it is discarded by default)")
    .option('--dry-run', 'list what would be cleared and change nothing')
    .option('--json', 'print the API response as JSON')
    .action(async (dagId: string, options: ClearOptions) => {
      const page = await connectApi(options).clearTaskInstances(dagId, {
        ...(options.runId !== undefined ? { dag_run_id: options.runId } : {}),
        ...(options.taskId !== undefined ? { task_ids: options.taskId } : {}),
        only_failed: Boolean(options.onlyFailed),
        keep_task_state: Boolean(options.keepTaskState),
        dry_run: Boolean(options.dryRun),
      });
      if (options.json) return printJson(page);
      const count = page.task_instances.length;
      if (count === 0) return printLine('No task instances match; nothing to clear.');
      printLine(`${options.dryRun ? 'Would clear' : 'Cleared'} ${count} task instance${count === 1 ? '' : 's'}:`);
      printTable(options.runId ? TASK_INSTANCE_COLUMNS : TASK_INSTANCE_WITH_RUN_COLUMNS, page.task_instances, {
        empty: '',
      });
    });

  withApiUrl(
    tasks
      .command('mark')
      .description('set the state of a task instance by hand (a running try is stopped)')
      .argument('<dag_id>')
      .argument('<run_id>')
      .argument('<task_id>')
      .addArgument(new Argument('<state>', 'the new state').choices(['success', 'failed'])),
  )
    .option('--map-index <n>', 'the map index of a mapped task', wholeNumber(-1))
    .option('--json', 'print the API response as JSON')
    .action(async (dagId: string, runId: string, taskId: string, state: 'success' | 'failed', options: MarkOptions) => {
      const ti = await connectApi(options).setTaskInstanceState(dagId, runId, taskId, state, options.mapIndex);
      if (options.json) return printJson(ti);
      const which = ti.map_index >= 0 ? `${ti.task_id}[${ti.map_index}]` : ti.task_id;
      printLine(`Marked task ${which} of run ${ti.dag_run_id} ${ti.state ?? 'none'}.`);
    });
  return tasks;
}

function isNotFound(error: unknown): boolean {
  return isTidemarkError(error) && error.details.status === 404;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

const XCOM_COLUMNS: readonly Column<XcomEntryWithValueResponse>[] = [
  { header: 'KEY', value: (entry) => entry.key },
  { header: 'MAP_INDEX', value: (entry) => (entry.map_index < 0 ? null : entry.map_index), align: 'right' },
  { header: 'VALUE', value: (entry) => JSON.stringify(entry.value) },
];
