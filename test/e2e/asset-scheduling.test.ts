import { join } from 'node:path';
import { TidemarkCluster, TidemarkProcess } from '@tidemark/cli/testing';
import { findAssetId, inWriteTransaction, recordAssetEvent, setDagPaused, triggerDagRun } from '@tidemark/db';
import { eachDialect, waitUntil } from '@tidemark/db/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { E2eEnvironment } from './support/e2e-environment.ts';

const EXAMPLE_DAGS = join(import.meta.dirname, '..', '..', 'examples', 'dags');
const RAW_ORDERS = { name: 'e2e_raw_orders', uri: 'file:///lake/raw_orders' };

/** What example_sales_report's build_report returns. */
interface ReportResult {
  readonly events: number;
  readonly order_rows: number;
}

describe.each(eachDialect())('data-aware scheduling end to end on %s', (dialect) => {
  const processes: TidemarkProcess[] = [];
  let cluster: TidemarkCluster<E2eEnvironment> | undefined;
  let env: E2eEnvironment | undefined;

  afterEach(async () => {
    await Promise.all(processes.splice(0).map((process) => process.stop()));
    await cluster?.stop();
    cluster = undefined;
    await env?.destroy();
    env = undefined;
  });

  const runsOf = (world: E2eEnvironment, dagId: string) =>
    world.database.db
      .selectFrom('dag_run')
      .select(['run_id', 'run_type', 'state'])
      .where('dag_id', '=', dagId)
      .orderBy('id')
      .execute();

  const queuedFor = (world: E2eEnvironment, dagId: string) =>
    world.database.db.selectFrom('asset_event_queue').select('asset_event_id').where('dag_id', '=', dagId).execute();

  async function finishedRunsOf(world: E2eEnvironment, dagId: string, count: number) {
    return waitUntil(
      async () => {
        const runs = await runsOf(world, dagId);
        return runs.length >= count && runs.every((run) => run.state === 'success' || run.state === 'failed')
          ? runs
          : undefined;
      },
      `${count} finished run(s) of ${dagId}`,
      90_000,
    );
  }

  it('a producer’s success triggers its consumers once; all waits for every asset, any fires on one', async () => {
    env = await E2eEnvironment.create(dialect);
    const world = env;
    const standalone = TidemarkProcess.start(['standalone'], world.env);
    processes.push(standalone);
    await standalone.waitFor(/Tidemark is running at http/);
    await world.waitForDag('e2e_on_both');

    await triggerDagRun(world.database, { dagId: 'e2e_orders_producer', runId: 'orders-1', conf: { rows: 7 } });
    expect(await world.waitForRunFinished('e2e_orders_producer', 'orders-1')).toBe('success');
    const [either] = await finishedRunsOf(world, 'e2e_on_either', 1);
    expect(either).toMatchObject({ run_type: 'asset_triggered', state: 'success' });
    expect(await world.xcom('e2e_on_either', either?.run_id ?? '', 'consume')).toEqual([
      { asset: 'e2e_raw_orders', extra: { rows: 7, run: 'orders-1' }, source: 'e2e_orders_producer/publish_orders' },
    ]);
    expect(await runsOf(world, 'e2e_on_both')).toEqual([]);
    expect(await queuedFor(world, 'e2e_on_both')).toHaveLength(1);

    await triggerDagRun(world.database, { dagId: 'e2e_customers_producer', runId: 'customers-1' });
    expect(await world.waitForRunFinished('e2e_customers_producer', 'customers-1')).toBe('success');
    const [both] = await finishedRunsOf(world, 'e2e_on_both', 1);
    expect(both?.state).toBe('success');
    const consumed = (await world.xcom('e2e_on_both', both?.run_id ?? '', 'consume')) as { asset: string }[];
    expect(consumed.map((event) => event.asset)).toEqual(['e2e_raw_orders', 'e2e_customers']);
    await finishedRunsOf(world, 'e2e_on_either', 2);

    // Every event was consumed by exactly one run of each consumer: nothing is left to run again.
    expect(await queuedFor(world, 'e2e_on_both')).toEqual([]);
    expect(await queuedFor(world, 'e2e_on_either')).toEqual([]);
    expect(await runsOf(world, 'e2e_on_both')).toHaveLength(1);
    expect(await runsOf(world, 'e2e_on_either')).toHaveLength(2);
  });

  it('the example pipeline: example_ingest makes example_sales_report run with both events', async () => {
    env = await E2eEnvironment.create(dialect, { TIDEMARK_CORE__DAGS_FOLDER: EXAMPLE_DAGS });
    const world = env;
    const standalone = TidemarkProcess.start(['standalone'], world.env);
    processes.push(standalone);
    await standalone.waitFor(/Tidemark is running at http/);
    await world.waitForDag('example_sales_report');
    // example_ingest also runs every two minutes: paused, only the run triggered here lands events
    // (a paused DAG still runs triggered runs). A cron run created before the pause is counted below.
    await setDagPaused(world.database.db, 'example_ingest', true);
    await triggerDagRun(world.database, { dagId: 'example_ingest', runId: 'ingest-1' });
    expect(await world.waitForRunFinished('example_ingest', 'ingest-1')).toBe('success');
    const ingestRuns = await finishedRunsOf(world, 'example_ingest', 1);
    expect(ingestRuns.every((run) => run.state === 'success')).toBe(true);

    const reports = await waitUntil(
      async () => {
        const runs = await runsOf(world, 'example_sales_report');
        if (runs.some((run) => run.state !== 'success' && run.state !== 'failed')) return undefined;
        const results = await Promise.all(
          runs.map(async (run) => ({
            run,
            result: (await world.xcom('example_sales_report', run.run_id, 'build_report')) as ReportResult | undefined,
          })),
        );
        // Every event lands in exactly one report, or waits in the queue for its partner asset.
        const consumed = results.reduce((sum, { result }) => sum + (result?.events ?? 0), 0);
        const waiting = (await queuedFor(world, 'example_sales_report')).length;
        return consumed >= 2 && consumed + waiting === 2 * ingestRuns.length ? results : undefined;
      },
      `example_sales_report runs taking the events of ${ingestRuns.length} example_ingest run(s)`,
      90_000,
    );
    for (const { run, result } of reports) {
      expect(run).toMatchObject({ run_type: 'asset_triggered', state: 'success' });
      expect(result?.events).toBeGreaterThanOrEqual(2);
      expect(result?.order_rows).toBeGreaterThanOrEqual(100);
    }
    if (ingestRuns.length === 1) expect(await queuedFor(world, 'example_sales_report')).toEqual([]);
  });

  it('events queued while the scheduler is SIGKILLed make exactly one run when a scheduler is back', async () => {
    env = await E2eEnvironment.create(dialect);
    const world = env;
    cluster = await TidemarkCluster.start(world, { workers: 1 });
    await world.waitForDag('e2e_on_either');
    cluster.scheduler.kill('SIGKILL');
    await cluster.scheduler.exited;

    const assetId = await waitUntil(() => findAssetId(world.database.db, RAW_ORDERS), 'the asset to be active');
    for (let i = 0; i < 3; i++) {
      await inWriteTransaction(world.database, (trx) =>
        recordAssetEvent(trx, { assetId, extra: { i }, source: { kind: 'api', user: 'test' } }, Date.now()),
      );
    }
    expect(await queuedFor(world, 'e2e_on_either')).toHaveLength(3);
    expect(await runsOf(world, 'e2e_on_either')).toEqual([]);

    const scheduler = TidemarkProcess.start(['scheduler'], world.env);
    processes.push(scheduler);
    const [run] = await finishedRunsOf(world, 'e2e_on_either', 1);
    expect(run?.state).toBe('success');
    const consumed = (await world.xcom('e2e_on_either', run?.run_id ?? '', 'consume')) as { extra: unknown }[];
    expect(consumed.map((event) => event.extra)).toEqual([{ i: 0 }, { i: 1 }, { i: 2 }]);
    expect(await queuedFor(world, 'e2e_on_either')).toEqual([]);
    expect(await runsOf(world, 'e2e_on_either')).toHaveLength(1);
  });

  it.runIf(dialect === 'postgres')(
    'two schedulers over 200 events: every event consumed by exactly one run, no duplicate run',
    async () => {
      env = await E2eEnvironment.create(dialect);
      const world = env;
      cluster = await TidemarkCluster.start(world, { workers: 0 });
      const second = TidemarkProcess.start(['scheduler'], world.env);
      processes.push(second);
      await world.waitForDag('e2e_on_either');
      const assetId = await waitUntil(() => findAssetId(world.database.db, RAW_ORDERS), 'the asset to be active');
      for (let i = 0; i < 200; i++) {
        await inWriteTransaction(world.database, (trx) =>
          recordAssetEvent(trx, { assetId, extra: { i }, source: { kind: 'api', user: 'test' } }, Date.now()),
        );
      }
      await waitUntil(
        async () => ((await queuedFor(world, 'e2e_on_either')).length === 0 ? true : undefined),
        'both schedulers to consume every queued event',
        120_000,
      );
      const links = await world.database.db
        .selectFrom('dag_run_asset_event')
        .innerJoin('dag_run', 'dag_run.id', 'dag_run_asset_event.dag_run_id')
        .select(['dag_run_asset_event.asset_event_id as event', 'dag_run.run_id as run'])
        .where('dag_run.dag_id', '=', 'e2e_on_either')
        .execute();
      expect(links).toHaveLength(200);
      expect(new Set(links.map((link) => Number(link.event))).size).toBe(200);
      const runs = await runsOf(world, 'e2e_on_either');
      expect(new Set(links.map((link) => link.run)).size).toBe(runs.length);
      expect(runs.every((run) => run.run_type === 'asset_triggered')).toBe(true);
    },
  );
});
