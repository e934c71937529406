import { join } from 'node:path';
import { TidemarkProcess } from '@tidemark/cli/testing';
import { eachDialect, waitUntil } from '@tidemark/db/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { E2eEnvironment } from './support/e2e-environment.ts';

const WATCHER_DAGS = join(import.meta.dirname, 'dags-watchers');

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
});
