import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TidemarkProcess } from '@tidemark/cli/testing';
import { eachDialect, waitUntil } from '@tidemark/db/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { E2eEnvironment } from './support/e2e-environment.ts';

const WATCHER_DAGS = join(import.meta.dirname, 'dags-watchers');
const EXAMPLE_DAGS = join(import.meta.dirname, '..', '..', 'examples', 'dags');

describe.each(eachDialect())('watchers end to end on %s', (dialect) => {
  let standalone: TidemarkProcess | undefined;
  let env: E2eEnvironment | undefined;

  afterEach(async () => {
    await standalone?.stop();
    standalone = undefined;
    await env?.destroy();
    env = undefined;
  });

  it("standalone runs a DAG's watcher, and the events it finds trigger the DAG scheduled on the asset", async () => {
    env = await E2eEnvironment.create(dialect, {
      TIDEMARK_CORE__DAGS_FOLDER: WATCHER_DAGS,
      TIDEMARK_TRIGGERER__LEASE_TIMEOUT: '3s',
    });
    const world = env;
    standalone = TidemarkProcess.start(['standalone'], world.env);
    await standalone.waitFor(/Tidemark is running at http/);

    const loaded = await waitUntil(
      async () => {
        const runs = await world.database.db
          .selectFrom('dag_run')
          .select(['run_id', 'state'])
          .where('dag_id', '=', 'e2e_load_inbox')
          .orderBy('id')
          .execute();
        const done = runs.filter((run) => run.state === 'success');
        const files = (
          await Promise.all(done.map((run) => world.xcom('e2e_load_inbox', run.run_id, 'load') as Promise<unknown[]>))
        ).flat();
        return files.length >= 2 ? files : undefined;
      },
      'the runs of e2e_load_inbox to load both files',
      60_000,
    );
    expect(loaded).toEqual([{ file: 'inbox-1.csv' }, { file: 'inbox-2.csv' }]);
    const watcher = await world.database.db
      .selectFrom('asset_watcher')
      .select(['event_count', 'failure_count', 'lease_hostname'])
      .executeTakeFirstOrThrow();
    expect(watcher).toMatchObject({ event_count: 2, failure_count: 0 });
    expect(watcher.lease_hostname).toMatch(/:\d+$/);
  });

  it('the landing example: files dropped before and after a SIGKILL of standalone are each loaded exactly once', async () => {
    env = await E2eEnvironment.create(dialect, {
      TIDEMARK_CORE__DAGS_FOLDER: EXAMPLE_DAGS,
      TIDEMARK_TRIGGERER__LEASE_TIMEOUT: '1s',
    });
    const world = env;
    const landing = join(world.home, 'landing');
    mkdirSync(landing, { recursive: true });
    const loadedLog = join(world.home, 'example-landing', 'loaded.log');
    const loaded = () =>
      existsSync(loadedLog)
        ? readFileSync(loadedLog, 'utf8')
            .split('\n')
            .filter(Boolean)
            .map((line) => (JSON.parse(line) as { file: string }).file)
        : [];
    const drop = (...names: string[]) => {
      for (const name of names) writeFileSync(join(landing, name), 'id,amount\n1,10\n');
    };

    standalone = TidemarkProcess.start(['standalone'], world.env);
    await standalone.waitFor(/Tidemark is running at http/);
    drop('2026-12-06T10-00_orders.csv', '2026-12-06T10-01_orders.csv', '2026-12-06T10-02_orders.csv');
    await waitUntil(() => loaded().length >= 3, 'the first three files to be loaded', 60_000);

    standalone.kill('SIGKILL');
    await standalone.exited;
    drop('2026-12-06T10-03_orders.csv', '2026-12-06T10-04_orders.csv');
    standalone = TidemarkProcess.start(['standalone'], world.env);
    await waitUntil(() => loaded().length >= 5, 'the two files dropped while it was down to be loaded', 60_000);
    expect(loaded().sort()).toEqual([
      '2026-12-06T10-00_orders.csv',
      '2026-12-06T10-01_orders.csv',
      '2026-12-06T10-02_orders.csv',
      '2026-12-06T10-03_orders.csv',
      '2026-12-06T10-04_orders.csv',
    ]);
    const events = await world.database.db
      .selectFrom('asset_event')
      .innerJoin('asset', 'asset.id', 'asset_event.asset_id')
      .select('asset_event.extra')
      .where('asset.name', '=', 'example_landing_files')
      .execute();
    expect(events.map((event) => JSON.parse(String(event.extra)).file).sort()).toEqual(loaded().sort());
  });
});
