import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assetScope, configSchema, type LeasedWatcher, type TidemarkConfig } from '@tidemark/core';
import { createStateBackend, type MetadataDatabase } from '@tidemark/db';
import { eachDialect, openTestDatabaseFor, type TestDatabase, waitUntil } from '@tidemark/db/testing';
import { buildApiServer } from '@tidemark/server';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DagProcessor } from '../dag-processor/dag-processor.ts';
import { startTriggerer, type Triggerer } from './triggerer.ts';
import type { PollEnd } from './watcher-process-host.ts';

const FIXTURE_DAGS_FOLDER = join(import.meta.dirname, 'fixtures');
const SECRET_KEY = 'triggerer-test-secret-key-0123456789-abcdefgh';

interface WatcherRow {
  readonly name: string;
  readonly lease_owner: string | null;
  readonly last_poll_at: number | null;
  readonly last_error: string | null;
  readonly last_error_at: number | null;
  readonly failure_count: number;
  readonly next_poll_at: number | null;
  readonly event_count: number;
}

describe.each(eachDialect())('a triggerer against a real api-server on %s', (dialect) => {
  let test: TestDatabase;
  let database: MetadataDatabase;
  let config: TidemarkConfig;
  let home: string;
  let app: FastifyInstance | undefined;
  let port = 0;
  let triggerer: Triggerer;
  const polls: { watcher: string; end: PollEnd; at: number }[] = [];
  /** `METHOD /route` of every request the api-server answered. */
  const requests: string[] = [];

  beforeAll(async () => {
    test = await openTestDatabaseFor(dialect);
    database = test.database;
    home = mkdtempSync(join(tmpdir(), 'tidemark-triggerer-test-'));
    config = {
      ...configSchema.parse({ triggerer: { lease_timeout: '3s', max_backoff: '1m' } }),
      home,
      database: { url: test.url },
    };
    await new DagProcessor().runOnce(database, { dagsFolder: FIXTURE_DAGS_FOLDER });
    await startServer();
    triggerer = startTriggerer({
      apiUrl: `http://127.0.0.1:${port}`,
      secretKey: SECRET_KEY,
      dagsFolder: FIXTURE_DAGS_FOLDER,
      capacity: 10,
      leaseTimeoutMs: 3_000,
      logger: pino({ level: 'silent' }),
      onPollDone: (watcher: LeasedWatcher, end: PollEnd) => polls.push({ watcher: watcher.name, end, at: Date.now() }),
    });
  });
  afterAll(async () => {
    await triggerer?.stop({ graceMs: 1_000 });
    await app?.close();
    await test?.destroy();
    rmSync(home, { recursive: true, force: true });
  });

  async function startServer(): Promise<void> {
    app = await buildApiServer({
      config,
      database,
      secretKey: SECRET_KEY,
      sessionKey: `${SECRET_KEY}-session`,
      logsFolder: join(home, 'logs'),
    });
    app.addHook('onResponse', (request, _reply, done) => {
      requests.push(`${request.method} ${request.routeOptions.url}`);
      done();
    });
    await app.listen({ port, host: '127.0.0.1' });
    const address = app.server.address();
    port = typeof address === 'object' && address ? address.port : 0;
  }

  const watcherRow = (name: string): Promise<WatcherRow> =>
    database.db
      .selectFrom('asset_watcher')
      .select([
        'name',
        'lease_owner',
        'last_poll_at',
        'last_error',
        'last_error_at',
        'failure_count',
        'next_poll_at',
        'event_count',
      ])
      .where('name', '=', name)
      .executeTakeFirstOrThrow() as Promise<WatcherRow>;

  async function assetId(name: string): Promise<number> {
    const row = await database.db.selectFrom('asset').select('id').where('name', '=', name).executeTakeFirstOrThrow();
    return Number(row.id);
  }

  it("commits a watcher's events together with its cursor: one event per file", async () => {
    const inbox = await assetId('triggerer_inbox');
    const events = async () =>
      database.db
        .selectFrom('asset_event')
        .select(['extra', 'source_kind', 'source_watcher'])
        .where('asset_id', '=', inbox)
        .orderBy('id')
        .execute();
    await waitUntil(async () => ((await events()).length >= 3 ? true : undefined), 'three events of the inbox', 20_000);
    // The watcher finds nothing more: its polls are idle, reported with the lease renewals.
    const committed = await watcherRow('new_files');
    await waitUntil(
      async () => ((await watcherRow('new_files')).last_poll_at ?? 0) > (committed.last_poll_at ?? 0) || undefined,
      'an idle poll to be reported',
      20_000,
    );

    expect((await events()).map((event) => ({ ...event, extra: JSON.parse(event.extra) }))).toEqual(
      [1, 2, 3].map((n) => ({ extra: { file: `file-${n}.csv` }, source_kind: 'watcher', source_watcher: 'new_files' })),
    );
    const backend = await createStateBackend(config, database);
    expect(await backend.get(assetScope(inbox), 'cursor')).toMatchObject({ value: 3, version: 3 });
    expect(await watcherRow('new_files')).toMatchObject({
      failure_count: 0,
      event_count: 3,
      lease_owner: triggerer.id,
    });
  });

  it("records a throwing watcher's failures and backs it off exponentially", async () => {
    const failed = await waitUntil(
      async () => {
        const row = await watcherRow('unreachable');
        return row.failure_count >= 2 ? row : undefined;
      },
      'two failures in a row',
      20_000,
    );
    expect(failed.last_error).toMatch(/^Error: the source answered 500\n\s+at .*triggerer-test-dags\.ts:\d+/);
    // SPEC §15.3: max(every, 1 s) × 2^(failures − 1), from the failure.
    expect((failed.next_poll_at ?? 0) - (failed.last_error_at ?? 0)).toBe(1_000 * 2 ** (failed.failure_count - 1));
    const tries = polls.filter((poll) => poll.watcher === 'unreachable');
    expect(tries.every((poll) => poll.end.outcome === 'error')).toBe(true);
  });

  it('charges a killed watcher process to the poll it was running; the other watchers go on in a new process', async () => {
    await waitUntil(async () => triggerer.watcherProcessPid, 'the watcher process to run');
    const killedPid = triggerer.watcherProcessPid as number;
    const killedAt = Date.now();
    process.kill(killedPid, 'SIGKILL');

    const charged = await waitUntil(
      async () => {
        const row = await watcherRow('hangs');
        return row.failure_count >= 1 ? row : undefined;
      },
      'the hanging poll to be charged',
      20_000,
    );
    expect(charged.last_error).toBe('the watcher process was killed by SIGKILL while the poll ran');
    // new_files polls every 200 ms: the crash may have caught one of its polls too, and charged it.
    await waitUntil(
      async () => {
        const row = await watcherRow('new_files');
        return ((row.last_poll_at ?? 0) > killedAt && row.failure_count === 0) || undefined;
      },
      'new_files to poll again after the crash, with success',
      20_000,
    );
    expect(triggerer.watcherProcessPid).not.toBe(killedPid);
    expect(await watcherRow('new_files')).toMatchObject({ event_count: 3 });
  });

  it('rides out an api-server that went away: its watchers stop at the lease deadline and resume after', async () => {
    await app?.close();
    app = undefined;
    await waitUntil(async () => triggerer.watcherIds.length === 0 || undefined, 'the watchers to stop', 20_000);
    const stoppedAt = Date.now();

    await startServer();
    await waitUntil(
      async () => triggerer.watcherIds.length === 3 || undefined,
      'the watchers to be leased again',
      20_000,
    );
    await waitUntil(
      async () => ((await watcherRow('new_files')).last_poll_at ?? 0) > stoppedAt || undefined,
      'new_files to poll again',
      20_000,
    );
    expect(await watcherRow('new_files')).toMatchObject({ event_count: 3, lease_owner: triggerer.id });
  });

  it("takes an idle watcher's state from each lease renewal, and so sees another writer's change", async () => {
    const inbox = await assetId('triggerer_inbox');
    const count = (route: string) => requests.filter((request) => request === route).length;
    const renewals = () => count('POST /execution/triggerers/:triggerer_id/leases');
    const stateReads = () => count('GET /execution/watchers/:watcher_id/state');

    // Another writer moves the cursor back: the watcher finds files 2 and 3 again once a renewal brought it.
    const backend = await createStateBackend(config, database);
    await backend.set(assetScope(inbox), 'cursor', 1);
    await waitUntil(
      async () => (await watcherRow('new_files')).event_count >= 5 || undefined,
      'the watcher to act on the cursor another writer set',
      20_000,
    );

    // Idle again (cursor 3), it polls every 200 ms across renewals (every second) without reading its state.
    const pollsOfNewFiles = () => polls.filter((poll) => poll.watcher === 'new_files').length;
    const readsBefore = stateReads();
    const renewalsBefore = renewals();
    const pollsBefore = pollsOfNewFiles();
    await waitUntil(
      async () => (renewals() >= renewalsBefore + 3 && pollsOfNewFiles() >= pollsBefore + 5) || undefined,
      'three more lease renewals and five more polls',
      20_000,
    );
    expect(stateReads()).toBe(readsBefore);
    expect(await backend.get(assetScope(inbox), 'cursor')).toMatchObject({ value: 3 });
    expect(await watcherRow('new_files')).toMatchObject({ event_count: 5, failure_count: 0 });
  });

  it('gives its leases back when it stops', async () => {
    await triggerer.stop({ graceMs: 2_000 });
    const rows = await database.db.selectFrom('asset_watcher').select(['name', 'lease_owner']).execute();
    expect(rows.map((row) => row.lease_owner)).toEqual(rows.map(() => null));
  });
});
