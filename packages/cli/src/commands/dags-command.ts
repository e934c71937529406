import type { DagDetailsResponse, DagResponse, DagTaskResponse, ImportErrorResponse } from '@tidemark/core';
import type { Command } from 'commander';
import { apiCommandGroup, parseConf, usageError, wholeNumber, withApiUrl } from '../api/api-command.ts';
import { connectApi } from '../api/api-connection.ts';
import { isRunFinished, waitForDagRun } from '../api/wait-for-dag-run.ts';
import { formatTime, printFields, printJson, printLine, printTable } from '../output/print.ts';
import { runDetails } from '../output/run-details.ts';
import { createRunProgress, printRunOutcome } from '../output/run-progress.ts';
import type { Column } from '../output/table.ts';

interface ApiOptions {
  apiUrl?: string;
  json?: boolean;
}

interface ListOptions extends ApiOptions {
  limit: number;
  offset: number;
}

interface TriggerOptions extends ApiOptions {
  conf?: string;
  runId?: string;
  wait?: boolean;
}

/** `tidemark dags list|show|trigger|pause|unpause` over the public API. */
export function dagsCommand(): Command {
  const dags = apiCommandGroup('dags', 'list, inspect, trigger and pause DAGs (through the api-server)');

  withApiUrl(dags.command('list').description('list the DAGs'))
    .option('--limit <n>', 'at most this many', wholeNumber(1), 100)
    .option('--offset <n>', 'skip this many', wholeNumber(0), 0)
    .option('--json', 'print the API response as JSON')
    .action(async (options: ListOptions) => {
      const page = await connectApi(options).listDags({ limit: options.limit, offset: options.offset });
      if (options.json) return printJson(page);
      printTable(DAG_COLUMNS, page.dags, { empty: 'No DAGs.', total: page.total_entries, offset: options.offset });
    });

  withApiUrl(dags.command('errors').description('list the DAG files that failed to load, with the line and reason'))
    .option('--limit <n>', 'at most this many', wholeNumber(1), 100)
    .option('--offset <n>', 'skip this many', wholeNumber(0), 0)
    .option('--json', 'print the API response as JSON')
    .action(async (options: ListOptions) => {
      const page = await connectApi(options).listImportErrors({ limit: options.limit, offset: options.offset });
      if (options.json) return printJson(page);
      printTable(IMPORT_ERROR_COLUMNS, page.import_errors, {
        empty: 'No import errors: every DAG file loads.',
        total: page.total_entries,
        offset: options.offset,
      });
    });

  withApiUrl(dags.command('show').description('show a DAG and its tasks').argument('<dag_id>'))
    .option('--json', 'print the API response as JSON')
    .action(async (dagId: string, options: ApiOptions) => {
      const dag = await connectApi(options).getDag(dagId);
      if (options.json) return printJson(dag);
      printDag(dag);
    });

  withApiUrl(dags.command('trigger').description('start a run of a DAG').argument('<dag_id>'))
    .option('--conf <json>', 'run parameters, a JSON object (tasks read it as ctx.conf)')
    .option('--run-id <id>', 'the run id (default: manual__<now>)')
    .option('--wait', 'follow the run until it finishes; exit 1 if it fails')
    .option('--json', 'print the API response (the finished run with --wait) as JSON')
    .action(async (dagId: string, options: TriggerOptions, command: Command) => {
      let conf: Record<string, unknown> | undefined;
      if (options.conf !== undefined) {
        const parsed = parseConf(options.conf);
        if ('problem' in parsed) usageError(command, parsed.problem);
        conf = parsed.conf;
      }
      const client = connectApi(options);
      const run = await client.triggerDagRun(dagId, {
        ...(options.runId !== undefined ? { dag_run_id: options.runId } : {}),
        ...(conf !== undefined ? { conf } : {}),
      });
      if (!options.wait) {
        if (options.json) return printJson(run);
        return printLine(`Triggered run ${run.dag_run_id} of DAG ${dagId} (${run.state}).`);
      }
      const label = `${dagId} ${run.dag_run_id}`;
      if (!options.json) printLine(`Triggered run ${run.dag_run_id} of DAG ${dagId}; waiting for it to finish.`);
      const progress = options.json ? undefined : createRunProgress(label);
      const finished = await waitForDagRun(client, dagId, run.dag_run_id, async (latest) => {
        if (!progress) return;
        const details = isRunFinished(latest) ? '' : await runDetails(client, latest).catch(() => '');
        progress.update(latest, details);
      });
      progress?.finish(finished);
      if (options.json) printJson(finished);
      else {
        const failed =
          finished.state === 'success'
            ? []
            : (await client.listTaskInstances(dagId, finished.dag_run_id, { state: 'failed,upstream_failed' }))
                .task_instances;
        printRunOutcome(finished, failed);
      }
      if (finished.state !== 'success') process.exitCode = 1;
    });

  for (const [name, paused] of [
    ['pause', true],
    ['unpause', false],
  ] as const) {
    withApiUrl(
      dags
        .command(name)
        .description(
          paused ? 'stop the scheduler creating runs of a DAG' : 'let the scheduler create runs of a DAG again',
        )
        .argument('<dag_id>'),
    )
      .option('--json', 'print the API response as JSON')
      .action(async (dagId: string, options: ApiOptions) => {
        const dag = await connectApi(options).setDagPaused(dagId, paused);
        if (options.json) return printJson(dag);
        printLine(`DAG ${dag.dag_id} is ${dag.is_paused ? 'paused' : 'unpaused'}.`);
      });
  }
  return dags;
}

const DAG_COLUMNS = [
  { header: 'DAG_ID', value: (dag: DagResponse) => dag.dag_id },
  { header: 'PAUSED', value: (dag: DagResponse) => (dag.is_paused ? 'yes' : 'no') },
  { header: 'SCHEDULE', value: (dag: DagResponse) => dag.schedule },
  { header: 'TAGS', value: (dag: DagResponse) => dag.tags.join(',') },
  { header: 'LATEST_RUN', value: (dag: DagResponse) => dag.latest_dag_run?.dag_run_id },
  { header: 'STATE', value: (dag: DagResponse) => dag.latest_dag_run?.state },
  { header: 'NEXT_RUN', value: (dag: DagResponse) => formatTime(dag.next_dagrun_run_after) },
];

const TASK_COLUMNS = [
  { header: 'TASK_ID', value: (task: DagTaskResponse) => task.task_id },
  { header: 'UPSTREAM', value: (task: DagTaskResponse) => task.upstream_task_ids.join(',') },
  { header: 'MAPPED_OVER', value: (task: DagTaskResponse) => task.map_over },
  { header: 'RETRIES', value: (task: DagTaskResponse) => task.retries, align: 'right' as const },
  { header: 'INLETS', value: (task: DagTaskResponse) => task.inlets.map((asset) => asset.name).join(',') },
  { header: 'OUTLETS', value: (task: DagTaskResponse) => task.outlets.map((asset) => asset.name).join(',') },
];

function printDag(dag: DagDetailsResponse): void {
  printFields([
    ['dag_id', dag.dag_id],
    ['description', dag.description],
    ['file', dag.fileloc],
    ['paused', dag.is_paused ? 'yes' : 'no'],
    ['active', dag.is_active ? 'yes' : 'no (its file no longer defines it)'],
    ['schedule', dag.schedule ?? 'none (triggered by hand)'],
    ['start_date', formatTime(dag.start_date)],
    ['catchup', dag.catchup ? 'yes' : 'no'],
    ['tags', dag.tags.join(', ')],
    ['last_parsed', formatTime(dag.last_parsed_time)],
    ['next_run', formatTime(dag.next_dagrun_run_after)],
    ['latest_run', dag.latest_dag_run ? `${dag.latest_dag_run.dag_run_id} (${dag.latest_dag_run.state})` : 'none'],
  ]);
  printLine('');
  printTable(TASK_COLUMNS, dag.tasks, { empty: 'No tasks.' });
}

const IMPORT_ERROR_COLUMNS: readonly Column<ImportErrorResponse>[] = [
  { header: 'FILE', value: (error) => (error.line === null ? error.fileloc : `${error.fileloc}:${error.line}`) },
  { header: 'SINCE', value: (error) => formatTime(error.timestamp) },
  { header: 'MESSAGE', value: (error) => error.message.replace(/\s*\n\s*/g, ' ') },
];
