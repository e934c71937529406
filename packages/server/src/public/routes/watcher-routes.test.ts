import { type WatcherResponse, watcherCollectionSchema } from '@tidemark/core';
import { leaseWatchers, recordWatcherPollFailure, setDagPaused } from '@tidemark/db';
import { eachDialect } from '@tidemark/db/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { detailOf, openPublicApiHarness, type PublicApiHarness, T0 } from '../../testing/dag-api-harness.ts';
import { type SeededWatchers, seedWatchers } from '../../testing/watcher-test-kit.ts';

describe.each(eachDialect())('watcher routes on %s', (dialect) => {
  let harness: PublicApiHarness;
  let seeded: SeededWatchers;

  beforeEach(async () => {
    harness = await openPublicApiHarness(dialect);
    seeded = await seedWatchers(harness.database.db);
  });
  afterEach(() => harness.close());

  const list = async (query = '') => {
    const response = await harness.request({ method: 'GET', url: `/api/v2/watchers${query}` });
    expect(response.statusCode).toBe(200);
    return watcherCollectionSchema.parse(response.json());
  };
  const statuses = (watchers: readonly WatcherResponse[]) => watchers.map((w) => [w.name, w.status]);

  it('lists watchers with their status: waiting, running, backing_off, inactive', async () => {
    const waiting = await list();
    expect(waiting).toEqual({
      total_entries: 2,
      watchers: [
        {
          id: seeded.ids.new_files,
          name: 'new_files',
          asset_id: seeded.assetId,
          asset_name: 'landing',
          asset_uri: 'file:///landing',
          dag_id: 'ingest',
          every_ms: 2_000,
          status: 'waiting',
          triggerer: null,
          lease_expires_at: null,
          last_poll_at: null,
          last_event_at: null,
          event_count: 0,
          last_error: null,
          last_error_at: null,
          failure_count: 0,
          next_poll_at: null,
        },
        expect.objectContaining({ name: 'slow', status: 'waiting', every_ms: 60_000 }),
      ],
    });

    await leaseWatchers(harness.database, {
      owner: 't1',
      hostname: 'box:42',
      capacity: 2,
      idlePolls: [],
      now: T0,
      leaseTimeoutMs: 30_000,
    });
    await recordWatcherPollFailure(harness.database, {
      lease: { watcherId: seeded.ids.slow, owner: 't1', lease: 1, now: T0 },
      polledAt: T0,
      error: 'permission denied: /landing',
      maxBackoffMs: 300_000,
    });
    const running = await list();
    expect(statuses(running.watchers)).toEqual([
      ['new_files', 'running'],
      ['slow', 'backing_off'],
    ]);
    expect(running.watchers[0]).toMatchObject({
      triggerer: 'box:42',
      lease_expires_at: new Date(T0 + 30_000).toISOString(),
    });
    expect(running.watchers[1]).toMatchObject({
      last_error: 'permission denied: /landing',
      last_error_at: new Date(T0).toISOString(),
      failure_count: 1,
      next_poll_at: new Date(T0 + 60_000).toISOString(),
    });
    expect(statuses((await list('?status=running')).watchers)).toEqual([['new_files', 'running']]);
    expect((await list('?status=backing_off&limit=1')).total_entries).toBe(1);

    // The lease expires: nobody holds the watcher.
    harness.clock.advance(30_000);
    expect(statuses((await list()).watchers)).toEqual([
      ['new_files', 'waiting'],
      ['slow', 'backing_off'],
    ]);
    expect((await list()).watchers[0]?.triggerer).toBeNull();

    await setDagPaused(harness.database.db, 'ingest', true, T0);
    expect(statuses((await list()).watchers)).toEqual([
      ['new_files', 'inactive'],
      ['slow', 'inactive'],
    ]);
  });

  it('filters by DAG and pages', async () => {
    expect((await list('?dag_id=ingest&limit=1&offset=1')).watchers.map((w) => w.name)).toEqual(['slow']);
    expect(await list('?dag_id=other')).toEqual({ watchers: [], total_entries: 0 });
  });

  it("lists an asset's watchers; 404 for an unknown asset", async () => {
    const response = await harness.request({ method: 'GET', url: `/api/v2/assets/${seeded.assetId}/watchers` });
    expect(watcherCollectionSchema.parse(response.json()).watchers.map((w) => w.name)).toEqual(['new_files', 'slow']);

    const unknown = await harness.request({ method: 'GET', url: '/api/v2/assets/999999/watchers' });
    expect([unknown.statusCode, detailOf(unknown).reason]).toEqual([404, 'asset_not_found']);
  });

  it('needs a token and refuses a bad filter', async () => {
    expect((await harness.request({ method: 'GET', url: '/api/v2/watchers', role: 'none' })).statusCode).toBe(401);
    const bad = await harness.request({ method: 'GET', url: '/api/v2/watchers?status=sleeping' });
    expect([bad.statusCode, detailOf(bad).reason]).toEqual([422, 'validation_error']);
  });
});
