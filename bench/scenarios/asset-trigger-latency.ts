/**
 * Scenario 8: data-aware scheduling latency, with real processes (`tidemark standalone`): from an
 * asset event being recorded to the consumer's first task running (its TI's start) and to its
 * function being entered. Baseline from the same run: the same DAG triggered by hand, from the
 * trigger to its task running.
 */
import type { DialectName } from '@tidemark/db';
import { findAssetId, inWriteTransaction, recordAssetEvent, triggerDagRun } from '@tidemark/db';
import { waitUntil } from '@tidemark/db/testing';
import { type BenchRow, ms, ratio } from '../harness/bench-results.ts';
import { openStandaloneWorld } from '../harness/standalone-world.ts';
import { median, percentile } from '../stats.ts';
import type { ScenarioOptions } from './scenario.ts';

const DAG_ID = 'bench_on_asset';

export async function assetTriggerLatencyScenario(dialect: DialectName, options: ScenarioOptions): Promise<BenchRow[]> {
  const samples = options.quick ? 5 : 30;
  const world = await openStandaloneWorld(dialect, { postgresUrl: options.postgresUrl, dags: [DAG_ID] });
  try {
    const { database } = world;
    const assetId = await waitUntil(
      () => findAssetId(database.db, { name: 'bench_signal' }),
      'asset bench_signal to be registered',
      60_000,
      200,
    );
    const toRunning: number[] = [];
    const toEntered: number[] = [];
    for (let i = 0; i < samples; i++) {
      const emittedAt = Date.now();
      await inWriteTransaction(database, (trx) =>
        recordAssetEvent(trx, { assetId, source: { kind: 'api', user: 'bench' } }, emittedAt),
      );
      const ti = await finishedTaskOfRun(world.database, i + 1);
      toRunning.push(ti.startDate - emittedAt);
      toEntered.push(ti.enteredAt - emittedAt);
    }
    const manual: number[] = [];
    for (let i = 0; i < samples; i++) {
      const triggeredAt = Date.now();
      const run = await triggerDagRun(database, { dagId: DAG_ID, runId: `manual-${i}` });
      const ti = await finishedTaskOf(world.database, run.dagRunId);
      manual.push(ti.startDate - triggeredAt);
    }
    const p50 = median(toRunning);
    return [
      {
        id: '8',
        scenario: 'asset event → consumer’s first task running',
        dialect,
        measure: 'p50 / p99',
        value: `${ms(p50)} / ${ms(percentile(toRunning, 99))}`,
        baseline: `manual trigger → task running ${ms(median(manual))}`,
        ratio: ratio(p50, median(manual)),
        target: 'p50 ≤ 1 s',
        met: p50 <= 1_000,
      },
      {
        id: '8',
        scenario: '… asset event → task function entered',
        dialect,
        measure: 'p50 / p99',
        value: `${ms(median(toEntered))} / ${ms(percentile(toEntered, 99))}`,
        baseline: '—',
        ratio: '—',
        target: '—',
        met: null,
      },
    ];
  } finally {
    await world.close();
  }
}

type World = Awaited<ReturnType<typeof openStandaloneWorld>>['database'];

/** The `count`-th asset-triggered run's task, once the run succeeded. */
async function finishedTaskOfRun(database: World, count: number) {
  const runs = await waitUntil(
    async () => {
      const rows = await database.db
        .selectFrom('dag_run')
        .select(['id', 'state'])
        .where('dag_id', '=', DAG_ID)
        .where('run_type', '=', 'asset_triggered')
        .orderBy('id')
        .execute();
      return rows.length >= count ? rows : undefined;
    },
    `${count} asset-triggered runs`,
    120_000,
    200,
  );
  return finishedTaskOf(database, Number(runs[count - 1]?.id));
}

async function finishedTaskOf(database: World, dagRunId: number) {
  return waitUntil(
    async () => {
      const row = await database.db
        .selectFrom('task_instance as ti')
        .innerJoin('xcom', (join) =>
          join.onRef('xcom.dag_run_id', '=', 'ti.dag_run_id').on('xcom.key', '=', 'return_value'),
        )
        .select(['ti.start_date', 'ti.state', 'xcom.value'])
        .where('ti.dag_run_id', '=', dagRunId)
        .executeTakeFirst();
      if (row?.state !== 'success') return undefined;
      const { enteredAt } = JSON.parse(row.value) as { enteredAt: number };
      return { startDate: Number(row.start_date), enteredAt };
    },
    `the task of run ${dagRunId} to succeed`,
    120_000,
    200,
  );
}
