import type { JsonValue } from '@tidemark/core';
import { type MetadataDatabase, readSerializedDag, triggerDagRun } from '@tidemark/db';
import { waitUntil } from '@tidemark/db/testing';

/** A finished run's task instances with their timestamps and return values. */
export interface FinishedTaskInstance {
  readonly taskId: string;
  readonly queuedAt: number;
  readonly startDate: number;
  readonly endDate: number;
  readonly returnValue: JsonValue | undefined;
}

export interface FinishedRun {
  /** From the trigger until the run is `success`. */
  readonly wallMs: number;
  readonly tis: FinishedTaskInstance[];
}

/** Waits until the DAG processor has stored each DAG. */
export async function waitForParsedDags(database: MetadataDatabase, dagIds: readonly string[]): Promise<void> {
  for (const dagId of dagIds)
    await waitUntil(() => readSerializedDag(database.db, dagId), `DAG ${dagId} to be parsed`, 120_000, 200);
}

/** Triggers a run and waits for it to succeed (throws when it fails; its logs are under `logsHint`). */
export async function runDagToSuccess(
  database: MetadataDatabase,
  run: { readonly dagId: string; readonly runId: string; readonly conf: Record<string, JsonValue> },
  logsHint: string,
): Promise<FinishedRun> {
  const { dagId, runId } = run;
  const started = Date.now();
  await triggerDagRun(database, run);
  await waitUntil(
    async () => {
      const row = await database.db
        .selectFrom('dag_run')
        .select('state')
        .where('dag_id', '=', dagId)
        .where('run_id', '=', runId)
        .executeTakeFirst();
      if (row?.state === 'failed') throw new Error(`${dagId} failed; see ${logsHint}`);
      return row?.state === 'success';
    },
    `run ${runId} of ${dagId} to succeed`,
    900_000,
    200,
  );
  const wallMs = Date.now() - started;
  const rows = await database.db
    .selectFrom('task_instance as ti')
    .leftJoin('xcom', (join) =>
      join
        .onRef('xcom.dag_run_id', '=', 'ti.dag_run_id')
        .onRef('xcom.task_id', '=', 'ti.task_id')
        .on('xcom.key', '=', 'return_value'),
    )
    .select(['ti.task_id', 'ti.queued_at', 'ti.start_date', 'ti.end_date', 'xcom.value'])
    .where('ti.dag_id', '=', dagId)
    .where('ti.run_id', '=', runId)
    .execute();
  const tis = rows.map((row) => ({
    taskId: row.task_id,
    queuedAt: Number(row.queued_at),
    startDate: Number(row.start_date),
    endDate: Number(row.end_date),
    returnValue: row.value === null ? undefined : (JSON.parse(row.value) as JsonValue),
  }));
  return { wallMs, tis };
}
