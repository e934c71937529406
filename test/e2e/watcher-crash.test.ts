import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { TidemarkCluster, TidemarkProcess } from '@tidemark/cli/testing';
import { eachDialect, waitUntil } from '@tidemark/db/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { E2eEnvironment } from './support/e2e-environment.ts';
import { SeededRandom } from './support/seeded-random.ts';

/**
 * SPEC §15.3: "source offset → event → run" exactly once. A folder watcher (test/e2e/dags-landing)
 * emits one event per new file and moves its cursor in the same commit; the triggerer, or the
 * watcher process it supervises, is SIGKILLed at random points while files arrive.
 */
const LANDING_DAGS = join(import.meta.dirname, 'dags-landing');
const TRIALS = Number(process.env.TIDEMARK_WATCHER_CRASH_TRIALS ?? 20);
const ASSET = 'e2e_landing';
const CONSUMER = 'e2e_landing_load';

describe.each(eachDialect())('watcher crashes on %s', (dialect) => {
  let cluster: TidemarkCluster<E2eEnvironment> | undefined;
  let env: E2eEnvironment | undefined;
  const triggerers: TidemarkProcess[] = [];

  afterEach(async () => {
    await Promise.all(triggerers.splice(0).map((triggerer) => triggerer.stop()));
    await cluster?.stop();
    cluster = undefined;
    await env?.destroy();
    env = undefined;
  });

  it(`${TRIALS} SIGKILLs of the triggerer or its watcher process: every file gives exactly one event and one run`, async () => {
    const random = SeededRandom.fromEnvironment().derive(`watcher-crash-${dialect}`);
    console.info(`watcher crash trials on ${dialect}: seed ${random.seed} (TIDEMARK_E2E_SEED replays it)`);
    env = await E2eEnvironment.create(dialect, {
      TIDEMARK_CORE__DAGS_FOLDER: LANDING_DAGS,
      TIDEMARK_TRIGGERER__LEASE_TIMEOUT: '1s',
    });
    const world = env;
    const landing = join(world.home, 'landing');
    mkdirSync(landing, { recursive: true });
    world.env.E2E_LANDING_DIR = landing;
    cluster = await TidemarkCluster.start(world, { workers: 1 });
    await world.waitForDag(CONSUMER);
    const startTriggerer = () => {
      const triggerer = TidemarkProcess.start(['triggerer', '--api-url', world.apiUrl], world.env);
      triggerers.push(triggerer);
      return triggerer;
    };
    let triggerer = startTriggerer();

    const dropped: string[] = [];
    const kills = { triggerer: 0, watcherProcess: 0 };
    const killedPids = new Set<number>();
    for (let trial = 0; trial < TRIALS; trial++) {
      for (let file = random.integer(1, 3); file > 0; file--) {
        const name = `${String(trial).padStart(3, '0')}-${file}.csv`;
        writeFileSync(join(landing, name), `trial ${trial}\n`);
        dropped.push(name);
      }
      if (random.next() < 0.5) {
        const triggererPid = triggerer.pid;
        const watcherProcess = await waitUntil(
          async () => {
            const pid = watcherProcessOf(triggererPid);
            return pid === undefined || killedPids.has(pid) ? undefined : pid;
          },
          'the triggerer to start its watcher process',
          30_000,
          10,
        );
        await sleep(random.integer(0, 250)); // a random point of the watcher's poll cycle
        process.kill(watcherProcess, 'SIGKILL');
        killedPids.add(watcherProcess);
        kills.watcherProcess++;
      } else {
        await sleep(random.integer(0, 250));
        triggerer.kill('SIGKILL');
        await triggerer.exited;
        triggerer = startTriggerer();
        kills.triggerer++;
      }
    }
    console.info(`killed the triggerer ${kills.triggerer} times and its watcher process ${kills.watcherProcess} times`);

    const events = await waitUntil(
      async () => {
        const rows = await eventsOf(world);
        return rows.length >= dropped.length ? rows : undefined;
      },
      `${dropped.length} events of ${ASSET}`,
      120_000,
    );
    expect(events.map((event) => event.file).sort()).toEqual([...dropped].sort());

    const consumed = await waitUntil(
      async () => {
        const runs = await world.database.db
          .selectFrom('dag_run')
          .select(['id', 'run_id', 'state'])
          .where('dag_id', '=', CONSUMER)
          .execute();
        if (runs.length === 0 || runs.some((run) => run.state !== 'success')) return undefined;
        const links = await world.database.db
          .selectFrom('dag_run_asset_event')
          .select(['dag_run_id', 'asset_event_id'])
          .where(
            'dag_run_id',
            'in',
            runs.map((run) => run.id),
          )
          .execute();
        return links.length >= events.length ? { runs, links } : undefined;
      },
      `every event of ${ASSET} consumed by a successful run of ${CONSUMER}`,
      120_000,
    );
    const runsPerEvent = new Map<number, number>();
    for (const link of consumed.links) {
      runsPerEvent.set(Number(link.asset_event_id), (runsPerEvent.get(Number(link.asset_event_id)) ?? 0) + 1);
    }
    expect([...runsPerEvent.keys()].sort((a, b) => a - b)).toEqual(events.map((event) => event.id));
    expect([...runsPerEvent.values()].every((count) => count === 1)).toBe(true);

    const loaded = (
      await Promise.all(
        consumed.runs.map((run) => world.xcom(CONSUMER, run.run_id, 'load') as Promise<string[] | undefined>),
      )
    ).flatMap((files) => files ?? []);
    expect(loaded.sort()).toEqual([...dropped].sort());
  }, 600_000);
});

async function eventsOf(world: E2eEnvironment): Promise<{ id: number; file: string }[]> {
  const rows = await world.database.db
    .selectFrom('asset_event')
    .innerJoin('asset', 'asset.id', 'asset_event.asset_id')
    .select(['asset_event.id', 'asset_event.extra'])
    .where('asset.name', '=', ASSET)
    .orderBy('asset_event.id')
    .execute();
  return rows.map((row) => ({ id: Number(row.id), file: String(JSON.parse(String(row.extra)).file) }));
}

/** The triggerer's live watcher process (the child running the SDK's watcher-process entry), if it runs now. */
function watcherProcessOf(triggererPid: number): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [state, parent] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(parent) !== triggererPid || state === 'Z') continue;
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('watcher-process')) return Number(entry);
    } catch {
      // the process ended while we looked
    }
  }
  return undefined;
}
