/**
 * Scenario 6: `get` through the execution API when `task_state` holds 10,000,000 rows (1,000,000
 * with --quick), against the same `get` at 10,000 rows, in one world: the lookup must stay an index
 * probe, whatever the table's size.
 */
import { type DialectName, type MetadataDatabase, triggerDagRun } from '@tidemark/db';
import { sql } from 'kysely';
import { type BenchRow, ms, ratio } from '../harness/bench-results.ts';
import { BENCH_DAG_ID, type BenchWorld, openBenchWorld } from '../harness/bench-world.ts';
import { runLoad } from '../harness/run-load.ts';
import { median, percentile } from '../stats.ts';
import type { ScenarioOptions } from './scenario.ts';

const SMALL = 10_000;
const CHUNK = 500_000;

export async function largeTableScenario(dialect: DialectName, options: ScenarioOptions): Promise<BenchRow[]> {
  const large = options.quick ? 1_000_000 : 10_000_000;
  const world = await openBenchWorld(dialect, { postgresUrl: options.postgresUrl, tasks: 1 });
  try {
    const bulkRun = await triggerDagRun(world.database, { dagId: BENCH_DAG_ID, runId: 'bulk__1' });
    await insertRows(world.database, bulkRun.dagRunId, 0, SMALL);
    const small = await getLatencies(world, options.quick);
    for (let from = SMALL; from < large; from += CHUNK) {
      await insertRows(world.database, bulkRun.dagRunId, from, Math.min(large, from + CHUNK));
      process.stderr.write(`  task_state: ${Math.min(large, from + CHUNK).toLocaleString('en-US')} rows\r`);
    }
    process.stderr.write('\n');
    if (dialect === 'postgres') await sql`analyze task_state`.execute(world.database.db);
    const big = await getLatencies(world, options.quick);
    const p50 = median(big);
    return [
      {
        id: '6',
        scenario: `\`get\` via execution API, ${large.toLocaleString('en-US')} rows in task_state`,
        dialect,
        measure: 'p50 / p99',
        value: `${ms(p50)} / ${ms(percentile(big, 99))}`,
        baseline: `same at ${SMALL.toLocaleString('en-US')} rows: ${ms(median(small))}`,
        ratio: ratio(p50, median(small)),
        target: 'ratio ≤ 1.2',
        met: p50 / median(small) <= 1.2,
      },
    ];
  } finally {
    await world.close();
  }
}

async function getLatencies(world: BenchWorld, quick: boolean): Promise<number[]> {
  const attempt = world.attempts[0];
  if (!attempt) throw new Error('no attempt');
  const path = `/execution/store/ti/${attempt.tiId}/cursor`;
  await runLoad({
    origin: world.origin,
    mode: 'latency',
    templates: [{ method: 'PUT', path, body: '{"value":{"page":1}}', token: attempt.token }],
    count: 1,
  });
  const result = await runLoad({
    origin: world.origin,
    mode: 'latency',
    templates: [{ method: 'GET', path, token: attempt.token }],
    count: quick ? 1_000 : 3_000,
    warmup: 200,
  });
  return result.latenciesMs;
}

/** Rows `from` ≤ n < `to` of another run, spread over 1,000 task ids, in one statement. */
async function insertRows(database: MetadataDatabase, dagRunId: number, from: number, to: number): Promise<void> {
  if (database.dialect === 'postgres') {
    await sql`insert into task_state (dag_run_id, dag_id, run_id, task_id, map_index, key, value, version, updated_at)
      select ${dagRunId}, ${BENCH_DAG_ID}, 'bulk__1', 't' || (n % 1000), -1, 'k' || n, '{"n":1}', 1, 0
      from generate_series(${from}::bigint, ${to - 1}::bigint) as n`.execute(database.db);
    return;
  }
  await sql`insert into task_state (dag_run_id, dag_id, run_id, task_id, map_index, key, value, version, updated_at)
    with recursive c(n) as (select ${from} union all select n + 1 from c where n + 1 < ${to})
    select ${dagRunId}, ${BENCH_DAG_ID}, 'bulk__1', 't' || (n % 1000), -1, 'k' || n, '{"n":1}', 1, 0 from c`.execute(
    database.db,
  );
}
