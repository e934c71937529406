import { gunzipSync } from 'node:zlib';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { type ClaimedAttempt, type JsonValue, offloadKeyPrefix, offloadRef, offloadScopePrefix } from '@tidemark/core';
import { activateAsset, offloadOrphanSweep, upsertSerializedDag } from '@tidemark/db';
import { eachDialect } from '@tidemark/db/testing';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { S3OffloadStore } from '../offload/s3-offload-store.ts';
import { S3_TEST_CREDENTIALS, type S3TestServer, startS3TestServer } from '../offload/testing/s3-test-server.ts';
import { bigString, OFFLOAD_DAG_FILE, offloadDag, sha256, tagged } from './fixtures/offload-test-dags.ts';
import {
  FIXTURE_DAGS_FOLDER,
  openWorkerTestWorld,
  type TestRun,
  type WorkerTestWorld,
} from './fixtures/worker-test-world.ts';
import { runAttempt } from './supervisor.ts';

const BUCKET = 'tidemark';
const THRESHOLD = 1_000;
const BYTES = 5_000;
let server: S3TestServer;
let raw: S3Client;
let prefixes = 0;

beforeAll(async () => {
  server = await startS3TestServer([BUCKET]);
  raw = new S3Client({
    region: 'us-east-1',
    endpoint: server.endpoint,
    forcePathStyle: true,
    credentials: S3_TEST_CREDENTIALS,
  });
});
afterAll(async () => {
  raw.destroy();
  await server.close();
});

/** The offload behaviours of state-store-relay.test.ts, through a real task, with a real S3-protocol server. */
describe.each(eachDialect())('state values offloaded to S3 (s3rver) on %s', (dialect) => {
  let world: WorkerTestWorld;
  let store: S3OffloadStore;
  let prefix: string;
  const orders = { kind: 'asset', name: 'orders' } as const;

  beforeEach(async () => {
    world = await openWorkerTestWorld(dialect, {
      state: { history_depth: 2 },
      scheduler: { task_heartbeat_timeout: 600_000 },
    });
    await activateAsset(world.database.db, { name: 'orders' });
    await upsertSerializedDag(world.database.db, offloadDag.serialize(OFFLOAD_DAG_FILE));
    // Each test in a prefix of its own: the sweep and list see only its objects.
    prefix = `${dialect}-${++prefixes}/`;
    store = s3Store({ gzip: true });
  });
  afterEach(async () => {
    store.destroy();
    await world.close();
  });

  function s3Store(options: { bucket?: string; gzip?: boolean } = {}) {
    return new S3OffloadStore({
      bucket: options.bucket ?? BUCKET,
      prefix,
      endpoint: server.endpoint,
      forcePathStyle: true,
      credentials: S3_TEST_CREDENTIALS,
      gzip: options.gzip ?? false,
    });
  }

  async function runTask(
    taskId: string,
    conf: Record<string, JsonValue> = {},
    options: { expectState?: string; with?: S3OffloadStore } = {},
  ) {
    const run = await world.trigger('worker_offload', conf);
    const tiId = await world.queue(run, taskId);
    const claimed: ClaimedAttempt | null = await world.api.claim('test-worker:1');
    if (!claimed) throw new Error('nothing was claimable');
    await runAttempt({
      claimed,
      api: world.api,
      dagsFolder: FIXTURE_DAGS_FOLDER,
      killGracePeriodMs: 500,
      offload: { store: options.with ?? store, thresholdBytes: THRESHOLD },
    });
    const state = (await world.taskInstance(tiId)).state;
    const expected = options.expectState ?? 'success';
    if (state !== expected) throw new Error(`${taskId} ended ${state}: ${await world.attemptLog(tiId, 1)}`);
    return { run, result: (await world.returnValue(run, taskId)) as Record<string, JsonValue> };
  }

  const payloadOf = (value: JsonValue) => Buffer.from(JSON.stringify(value), 'utf8');
  const taskScope = (run: TestRun, taskId: string) =>
    ({ kind: 'task', dagId: 'worker_offload', runId: run.runId, taskId, mapIndex: -1 }) as const;
  const taskRef = (run: TestRun, taskId: string, key: string, value: JsonValue) =>
    offloadRef(taskScope(run, taskId), key, payloadOf(value));
  const assetRef = (key: string, value: JsonValue) => offloadRef(orders, key, payloadOf(value));
  const envelope = (ref: string) => JSON.stringify({ __tidemark_ref__: ref });
  const big = (tag: string) => tagged(tag, BYTES);
  const refs = async (under?: string) => {
    const found: string[] = [];
    for await (const object of store.list(under)) found.push(object.ref);
    return found.sort();
  };
  const rawObject = async (ref: string) => {
    const object = await raw.send(new GetObjectCommand({ Bucket: BUCKET, Key: `${prefix}${ref}` }));
    return { bytes: Buffer.from(await (object.Body?.transformToByteArray() ?? [])), metadata: object.Metadata };
  };
  const taskRow = (run: TestRun, key: string) =>
    world.database.db
      .selectFrom('task_state')
      .select(['value', 'version'])
      .where('run_id', '=', run.runId)
      .where('key', '=', key)
      .executeTakeFirst();
  const sweepLater = () =>
    offloadOrphanSweep({ database: world.database, store, clock: () => Date.now() + 2 * 3_600_000 });

  it('a large value goes task → supervisor → bucket (gzip-compressed) and back; the row holds the envelope', async () => {
    const bytes = 2 * 1024 * 1024;
    const { run, result } = await runTask('round_trip', { bytes });
    const value = { blob: bigString(bytes), n: 1 };
    const json = JSON.stringify(value);
    expect(result).toMatchObject({
      set: { version: 1 },
      sha256: sha256(json),
      readSha256: sha256(json),
      readAssetSha256: sha256(json),
    });
    const ref = taskRef(run, 'round_trip', 'blob', value);
    expect((await taskRow(run, 'blob'))?.value).toBe(envelope(ref));
    const stored = await rawObject(ref);
    expect(stored.metadata?.['tidemark-encoding']).toBe('gzip');
    expect(stored.bytes.length).toBeLessThan(Buffer.byteLength(json));
    expect(gunzipSync(stored.bytes).equals(Buffer.from(json, 'utf8'))).toBe(true);
    expect(await refs()).toEqual([assetRef('blob', value), ref].sort());

    // Another attempt, whose worker has gzip off, reads the compressed payload back.
    const plain = s3Store({ gzip: false });
    try {
      expect((await runTask('read_asset', {}, { with: plain })).result).toEqual({ sha256: sha256(json), tag: null });
    } finally {
      plain.destroy();
    }
  }, 60_000);

  it('delete removes every object of the key, clear every object of the scope', async () => {
    const { run, result } = await runTask('lifecycle', { bytes: BYTES });
    expect(result).toMatchObject({ afterConflict: 'b1', updatedTag: 'b2+u', afterDelete: ['b', 'lookalike', 'small'] });
    expect(await refs(offloadKeyPrefix(taskScope(run, 'lifecycle'), 'a'))).toEqual([]);
    expect(await refs(offloadKeyPrefix(taskScope(run, 'lifecycle'), 'b'))).toHaveLength(4);
    expect((await taskRow(run, 'b'))?.value).toBe(
      envelope(taskRef(run, 'lifecycle', 'b', { tag: 'b2+u', blob: big('b2').blob })),
    );

    await runTask('clear_asset', { bytes: BYTES });
    expect(await refs(offloadScopePrefix(orders))).toEqual(
      [assetRef('k1', bigString(BYTES)), assetRef('k2', bigString(BYTES)), assetRef('staged', big('s'))].sort(),
    );
    expect((await runTask('clear_asset', { bytes: BYTES, clear: true })).result).toEqual([]);
    expect(await refs(offloadScopePrefix(orders))).toEqual([]);
  });

  it('the orphan sweep removes objects no row names once past the grace period, and keeps the named ones', async () => {
    const { run } = await runTask('lifecycle', { bytes: BYTES });
    await runTask('staged_then_fail', { bytes: BYTES }, { expectState: 'failed' });
    const ref = (key: string, value: JsonValue) => taskRef(run, 'lifecycle', key, value);
    const orphans = [ref('b', big('lost')), ref('b', big('b1')), assetRef('dropped', big('dropped'))].sort();
    const named = [
      ref('b', big('b2')),
      ref('b', { tag: 'b2+u', blob: big('b2').blob }),
      ref('lookalike', { __tidemark_ref__: 'task/not-a-ref' }),
      assetRef('staged', big('s')),
    ];
    expect(await refs()).toEqual([...orphans, ...named].sort());

    const fresh = offloadOrphanSweep({ database: world.database, store });
    expect(await fresh.run({ dryRun: false, batchSize: 100 })).toEqual({ removed: 0, items: [] });
    const dry = await sweepLater().run({ dryRun: true, batchSize: 1 });
    expect({ ...dry, items: dry.items.sort() }).toEqual({ removed: 3, items: orphans });
    expect(await refs()).toEqual([...orphans, ...named].sort());

    const swept = await sweepLater().run({ dryRun: false, batchSize: 2 });
    expect({ ...swept, items: swept.items.sort() }).toEqual({ removed: 3, items: orphans });
    expect(await refs()).toEqual(named.sort());
  });

  it('a missing bucket reaches the task as an offload_failed error naming the bucket and the fix; nothing crashes', async () => {
    const missing = s3Store({ bucket: 'no-such-bucket' });
    try {
      const { run, result } = await runTask('too_large', { bytes: 100_000 }, { with: missing });
      expect(result).toEqual({
        code: 'offload_failed',
        message: expect.stringMatching(
          /bucket "no-such-bucket" at http:\/\/127\.0\.0\.1:\d+: the bucket does not exist; create it .*state\.offload\.s3\.bucket/,
        ),
      });
      expect(await taskRow(run, 'blob')).toBeUndefined();
    } finally {
      missing.destroy();
    }
  });
});
