import { DAG_RUN_STATES } from '@tidemark/core';
import { type Command, Option } from 'commander';
import { apiCommandGroup, wholeNumber, withApiUrl } from '../api/api-command.ts';
import { connectApi } from '../api/api-connection.ts';
import { DAG_RUN_COLUMNS, TASK_INSTANCE_COLUMNS } from '../output/columns.ts';
import { formatDuration, formatTime, printFields, printJson, printLine, printTable } from '../output/print.ts';
import { summarizeTaskStates } from '../output/run-progress.ts';

interface ApiOptions {
  apiUrl?: string;
  json?: boolean;
}

interface ListOptions extends ApiOptions {
  state?: string;
  limit: number;
  offset: number;
}

/** `tidemark runs list|show|delete` over the public API. */
export function runsCommand(): Command {
  const runs = apiCommandGroup('runs', 'list, inspect and delete DAG runs (through the api-server)');

  withApiUrl(runs.command('list').description('list the runs of a DAG, newest first').argument('<dag_id>'))
    .addOption(new Option('--state <state>', 'only runs in this state').choices(DAG_RUN_STATES))
    .option('--limit <n>', 'at most this many', wholeNumber(1), 100)
    .option('--offset <n>', 'skip this many', wholeNumber(0), 0)
    .option('--json', 'print the API response as JSON')
    .action(async (dagId: string, options: ListOptions) => {
      const page = await connectApi(options).listDagRuns(dagId, {
        state: options.state,
        limit: options.limit,
        offset: options.offset,
      });
      if (options.json) return printJson(page);
      printTable(DAG_RUN_COLUMNS, page.dag_runs, {
        empty: `No runs of DAG ${dagId}${options.state ? ` in state ${options.state}` : ''}.`,
        total: page.total_entries,
        offset: options.offset,
      });
    });

  withApiUrl(
    runs.command('show').description('show a run and its task instances').argument('<dag_id>').argument('<run_id>'),
  )
    .option('--json', 'print the API response (the run) as JSON')
    .action(async (dagId: string, runId: string, options: ApiOptions) => {
      const client = connectApi(options);
      const run = await client.getDagRun(dagId, runId);
      if (options.json) return printJson(run);
      printFields([
        ['dag_id', run.dag_id],
        ['run_id', run.dag_run_id],
        ['state', run.state],
        ['type', run.run_type],
        ['logical_date', formatTime(run.logical_date)],
        ['queued_at', formatTime(run.queued_at)],
        ['started', formatTime(run.start_date)],
        ['ended', formatTime(run.end_date)],
        ['duration', formatDuration(run.start_date, run.end_date)],
        ['conf', JSON.stringify(run.conf)],
        ['tasks', summarizeTaskStates(run.task_instance_states)],
      ]);
      const tis = await client.listTaskInstances(dagId, runId, { limit: 1_000 });
      printLine('');
      printTable(TASK_INSTANCE_COLUMNS, tis.task_instances, {
        empty: 'No task instances yet.',
        total: tis.total_entries,
        more: `see tidemark tasks list ${dagId} ${runId} --limit/--offset`,
      });
    });

  withApiUrl(
    runs
      .command('delete')
      .description('delete a run with its task instances, XComs and task state')
      .argument('<dag_id>')
      .argument('<run_id>'),
  ).action(async (dagId: string, runId: string, options: ApiOptions) => {
    await connectApi(options).deleteDagRun(dagId, runId);
    printLine(`Deleted run ${runId} of DAG ${dagId}.`);
  });
  return runs;
}
