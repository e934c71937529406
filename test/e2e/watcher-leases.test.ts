import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TidemarkCluster, TidemarkProcess } from '@tidemark/cli/testing';
import { eachDialect, waitUntil } from '@tidemark/db/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { E2eEnvironment } from './support/e2e-environment.ts';

/**
 * SPEC §15.3 on PostgreSQL: several triggerers share watchers by leases, one watcher runs on one
 * triggerer at a time, and a dead triggerer's watchers move to a live one. The watchers of
 * test/e2e/dags-exclusive hold a lock file while they poll and log which triggerer ran each poll.
 */
const EXCLUSIVE_DAGS = join(import.meta.dirname, 'dags-exclusive');
const WATCHERS = ['w1', 'w2', 'w3', 'w4'];

describe.each(eachDialect().filter((dialect) => dialect === 'postgres'))('watcher leases on %s', (dialect) => {
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

  it('two triggerers never run one watcher at once, and a SIGKILLed one’s watchers move to the other', async () => {
    env = await E2eEnvironment.create(dialect, {
      TIDEMARK_CORE__DAGS_FOLDER: EXCLUSIVE_DAGS,
      TIDEMARK_TRIGGERER__LEASE_TIMEOUT: '1s',
    });
    const world = env;
    const folder = join(world.home, 'exclusive');
    mkdirSync(folder, { recursive: true });
    world.env.E2E_EXCLUSIVE_DIR = folder;
    cluster = await TidemarkCluster.start(world, { workers: 0 });
    await world.waitForDag('e2e_exclusive');
    const startTriggerer = (capacity: number) => {
      const triggerer = TidemarkProcess.start(
        ['triggerer', '--api-url', world.apiUrl, '--capacity', String(capacity)],
        world.env,
      );
      triggerers.push(triggerer);
      return triggerer;
    };
    const pollsBy = () => {
      const text = existsSync(join(folder, 'polls.log')) ? readFileSync(join(folder, 'polls.log'), 'utf8') : '';
      const polls = text
        .split('\n')
        .filter(Boolean)
        .map((line) => {
          const [watcher, triggererPid] = line.split(' ');
          return { watcher: watcher as string, triggererPid: Number(triggererPid) };
        });
      return (watcher: string, triggererPid: number) =>
        polls.filter((poll) => poll.watcher === watcher && poll.triggererPid === triggererPid).length;
    };
    const holders = async () =>
      world.database.db
        .selectFrom('asset_watcher')
        .select(['name', 'lease_owner', 'lease_generation'])
        .orderBy('name')
        .execute();

    const first = startTriggerer(2);
    const firstHolds = await waitUntil(
      async () => {
        const held = (await holders()).filter((row) => row.lease_owner !== null);
        return held.length === 2 ? held.map((row) => row.name) : undefined;
      },
      'the first triggerer to lease two watchers (its capacity)',
      60_000,
    );
    const second = startTriggerer(4);
    const secondHolds = WATCHERS.filter((name) => !firstHolds.includes(name));
    await waitUntil(
      () => {
        const count = pollsBy();
        return (
          firstHolds.every((name) => count(name, first.pid) >= 5) &&
          secondHolds.every((name) => count(name, second.pid) >= 5)
        );
      },
      'each triggerer to poll its own two watchers five times',
      60_000,
    );
    const beforeKill = await holders();
    expect(new Set(beforeKill.map((row) => row.lease_owner)).size).toBe(2);
    for (const name of WATCHERS) {
      const count = pollsBy();
      const ranOn = [first.pid, second.pid].filter((pid) => count(name, pid) > 0);
      expect(ranOn, `watcher ${name} ran on one triggerer only`).toHaveLength(1);
    }

    first.kill('SIGKILL');
    await first.exited;
    const generationBefore = new Map(beforeKill.map((row) => [row.name, Number(row.lease_generation)]));
    const afterTakeover = await waitUntil(
      async () => {
        const rows = await holders();
        const owners = new Set(rows.map((row) => row.lease_owner));
        const count = pollsBy();
        return owners.size === 1 && firstHolds.every((name) => count(name, second.pid) >= 3) ? rows : undefined;
      },
      'the second triggerer to take over and poll the dead one’s watchers',
      60_000,
    );
    for (const row of afterTakeover) {
      const moved = firstHolds.includes(row.name);
      expect(Number(row.lease_generation), `lease generation of ${row.name}`).toBe(
        (generationBefore.get(row.name) ?? 0) + (moved ? 1 : 0),
      );
    }
    const violations = join(folder, 'violations.log');
    expect(existsSync(violations) ? readFileSync(violations, 'utf8') : '').toBe('');
  }, 180_000);
});
