import { beforeEach, describe, expect, it } from 'vitest';
import type { MetadataDatabase } from '../open-database.ts';
import { eachDialect } from '../testing/describe-each-dialect.ts';
import { useTestDatabase } from '../testing/use-test-database.ts';
import { activateAsset } from './asset-repository.ts';
import { syncAssetWatchers } from './asset-watcher-repository.ts';
import { setDagPaused } from './dag-pause-repository.ts';
import { registerDag } from './dag-repository.ts';
import { type LeaseRequestInput, leaseWatchers, releaseAllWatcherLeases } from './watcher-lease-repository.ts';
import { commitWatcherPoll, recordWatcherPollFailure, watcherBackoffMs } from './watcher-poll-repository.ts';

const NOW = Date.UTC(2026, 0, 1);
const TIMEOUT = 30_000;

describe.each(eachDialect())('watcher leases on %s', (dialect) => {
  const test = useTestDatabase(dialect);
  let database: MetadataDatabase;
  let ids: number[];

  beforeEach(async () => {
    database = test.database;
    await registerDag(database.db, { dagId: 'ingest', fileloc: 'ingest.ts' }, NOW);
    const assetId = await activateAsset(database.db, { name: 'landing' }, NOW);
    await syncAssetWatchers(
      database.db,
      ['w1', 'w2', 'w3', 'w4', 'w5'].map((name) => ({
        assetId,
        name,
        dagId: 'ingest',
        fileloc: 'ingest.ts',
        everyMs: 1_000,
      })),
      NOW,
    );
    ids = (await database.db.selectFrom('asset_watcher').select('id').orderBy('id').execute()).map((row) => row.id);
  });

  const lease = (owner: string, capacity: number, now = NOW, extra: Partial<LeaseRequestInput> = {}) =>
    leaseWatchers(database, {
      owner,
      hostname: `${owner}-host:1`,
      capacity,
      idlePolls: [],
      now,
      leaseTimeoutMs: TIMEOUT,
      ...extra,
    });
  const held = async (owner: string, capacity: number, now = NOW) =>
    (await lease(owner, capacity, now)).watchers.map((watcher) => watcher.id);
  const row = (id: number) =>
    database.db.selectFrom('asset_watcher').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  it('takes free watchers up to the capacity, renews them, and leaves the rest to another triggerer', async () => {
    const first = await lease('a', 2);
    expect(first.expiresAt).toBe(NOW + TIMEOUT);
    expect(first.watchers).toEqual([
      expect.objectContaining({ id: ids[0], name: 'w1', assetName: 'landing', assetUri: 'landing', lease: 1 }),
      expect.objectContaining({ id: ids[1], name: 'w2', dagId: 'ingest', fileloc: 'ingest.ts', everyMs: 1_000 }),
    ]);
    expect(await held('b', 10)).toEqual(ids.slice(2));
    // Renewal keeps the generation; nothing is free for a third triggerer.
    expect((await lease('a', 2, NOW + 10_000)).watchers.map((watcher) => watcher.lease)).toEqual([1, 1]);
    expect((await row(ids[0] as number)).lease_expires_at).toBe(NOW + 10_000 + TIMEOUT);
    expect(await held('c', 10, NOW + 10_000)).toEqual([]);
    // A lower capacity gives back the newest ones.
    expect(await held('b', 1, NOW + 10_000)).toEqual([ids[2]]);
    expect(await held('c', 10, NOW + 10_000)).toEqual(ids.slice(3));
  });

  it('never gives one watcher to two triggerers asking at once', async () => {
    const owners = ['a', 'b', 'c', 'd'];
    for (let round = 0; round < 3; round++) {
      const now = NOW + round * (TIMEOUT + 1);
      const grants = await Promise.all(owners.map((owner) => held(`${owner}${round}`, 2, now)));
      const all = grants.flat();
      expect(new Set(all).size).toBe(all.length);
      expect(all.sort((x, y) => x - y)).toEqual(ids);
    }
  });

  it('moves an expired lease to another triggerer with a new generation; the old holder loses it', async () => {
    await lease('a', 10);
    expect(await held('b', 10, NOW + TIMEOUT - 1)).toEqual([]);

    const taken = await lease('b', 1, NOW + TIMEOUT);

    expect(taken.watchers).toEqual([expect.objectContaining({ id: ids[0], lease: 2 })]);
    expect(await held('a', 10, NOW + TIMEOUT + 1)).toEqual(ids.slice(1));
    const poll = { lease: { watcherId: ids[0] as number, owner: 'a', lease: 1, now: NOW + TIMEOUT + 1 } };
    await expect(
      commitWatcherPoll(database, { ...poll, polledAt: NOW, events: [{}] }, async () => undefined),
    ).rejects.toMatchObject({ code: 'watcher_lease_lost' });
    expect(await database.db.selectFrom('asset_event').selectAll().execute()).toEqual([]);
  });

  it("gives back a paused DAG's watchers and takes them again when it is unpaused", async () => {
    expect(await held('a', 10)).toEqual(ids);
    await setDagPaused(database.db, 'ingest', true, NOW + 1);

    expect(await held('a', 10, NOW + 2)).toEqual([]);
    expect((await row(ids[0] as number)).lease_owner).toBeNull();
    expect(await held('b', 10, NOW + 2)).toEqual([]);

    await setDagPaused(database.db, 'ingest', false, NOW + 3);
    const again = await lease('b', 10, NOW + 4);
    expect(again.watchers.map((watcher) => [watcher.id, watcher.lease])).toEqual(ids.map((id) => [id, 2]));
  });

  it('records idle polls under the current generation only, as successes', async () => {
    await lease('a', 1);
    await recordWatcherPollFailure(database, {
      lease: { watcherId: ids[0] as number, owner: 'a', lease: 1, now: NOW + 100 },
      polledAt: NOW + 100,
      error: 'boom',
      maxBackoffMs: 60_000,
    });
    expect(await row(ids[0] as number)).toMatchObject({ failure_count: 1, next_poll_at: NOW + 100 + 1_000 });

    await lease('a', 1, NOW + 500, { idlePolls: [{ watcherId: ids[0] as number, lease: 9, polledAt: NOW + 400 }] });
    expect(await row(ids[0] as number)).toMatchObject({ failure_count: 1, last_poll_at: NOW + 100 });

    const renewed = await lease('a', 1, NOW + 2_500, {
      idlePolls: [{ watcherId: ids[0] as number, lease: 1, polledAt: NOW + 2_000 }],
    });
    expect(await row(ids[0] as number)).toMatchObject({
      failure_count: 0,
      last_poll_at: NOW + 2_000,
      next_poll_at: NOW + 3_000,
      last_error: 'boom',
    });
    expect(renewed.watchers[0]).toMatchObject({ nextPollAt: NOW + 3_000, failureCount: 0 });
  });

  it('gives every lease back at once on release', async () => {
    await lease('a', 3);
    expect(await releaseAllWatcherLeases(database.db, 'a', NOW + 1)).toBe(3);
    expect(await held('b', 10, NOW + 2)).toEqual(ids);
    expect((await row(ids[0] as number)).lease_generation).toBe(2);
  });
});

describe('watcher backoff', () => {
  it('doubles from max(every, 1 s) up to max_backoff', () => {
    expect([1, 2, 3, 4, 5].map((failures) => watcherBackoffMs(200, failures, 10_000))).toEqual([
      1_000, 2_000, 4_000, 8_000, 10_000,
    ]);
    expect(watcherBackoffMs(5_000, 1, 300_000)).toBe(5_000);
    expect(watcherBackoffMs(5_000, 1_000, 300_000)).toBe(300_000);
  });
});
