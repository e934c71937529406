import { createServer } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { offloadRef } from '@tidemark/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3OffloadStore, type S3OffloadStoreOptions } from './s3-offload-store.ts';
import { runOffloadStoreConformance } from './testing/offload-store-conformance.ts';
import { S3_TEST_CREDENTIALS, type S3TestServer, startS3TestServer } from './testing/s3-test-server.ts';

const BUCKET = 'tidemark-offload';
let server: S3TestServer;
let buckets = 0;

beforeAll(async () => {
  server = await startS3TestServer([BUCKET]);
});
afterAll(() => server.close());

function s3Store(options: Partial<S3OffloadStoreOptions> = {}): S3OffloadStore {
  return new S3OffloadStore({
    bucket: BUCKET,
    endpoint: server.endpoint,
    forcePathStyle: true,
    credentials: S3_TEST_CREDENTIALS,
    ...options,
  });
}

/** Each conformance test gets a prefix of its own in the shared bucket, so it starts empty. */
function freshStore(options: Partial<S3OffloadStoreOptions> = {}) {
  const store = s3Store({ prefix: `conformance-${++buckets}/`, ...options });
  return { store, close: async () => store.destroy() };
}

runOffloadStoreConformance('s3', async () => freshStore());
runOffloadStoreConformance('s3 with gzip', async () => freshStore({ gzip: true }));

describe('S3OffloadStore', () => {
  const task = { kind: 'task', dagId: 'd', runId: 'r', taskId: 't', mapIndex: -1 } as const;
  const json = JSON.stringify({ blob: 'x'.repeat(10_000) });
  const ref = offloadRef(task, 'k', Buffer.from(json));
  let raw: S3Client;
  beforeAll(() => {
    raw = new S3Client({
      region: 'us-east-1',
      endpoint: server.endpoint,
      forcePathStyle: true,
      credentials: S3_TEST_CREDENTIALS,
    });
  });
  afterAll(() => raw.destroy());

  const rawObject = async (key: string) => {
    const object = await raw.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    return { bytes: Buffer.from(await (object.Body?.transformToByteArray() ?? [])), metadata: object.Metadata };
  };

  it('keeps objects under the prefix; with gzip the object is compressed and marked, and either kind reads back', async () => {
    const plain = s3Store({ prefix: 'plain/' });
    const zipped = s3Store({ prefix: 'plain/', gzip: true });
    try {
      await plain.put(ref, Buffer.from(json));
      const stored = await rawObject(`plain/${ref}`);
      expect(stored.bytes.toString('utf8')).toBe(json);
      expect(stored.metadata?.['tidemark-encoding']).toBeUndefined();
      // Turning gzip on later: the objects stored before still read.
      expect(await text(await zipped.get(ref))).toBe(json);

      const zippedRef = offloadRef(task, 'z', Buffer.from(json));
      await zipped.put(zippedRef, Buffer.from(json));
      const compressed = await rawObject(`plain/${zippedRef}`);
      expect(compressed.metadata?.['tidemark-encoding']).toBe('gzip');
      expect(compressed.bytes.length).toBeLessThan(json.length / 10);
      expect(gunzipSync(compressed.bytes).toString('utf8')).toBe(json);
      // And turning it off again: the compressed objects still read.
      expect(await text(await plain.get(zippedRef))).toBe(json);
    } finally {
      plain.destroy();
      zipped.destroy();
    }
  });

  it('lists only refs under its prefix, so the orphan sweep never sees other objects in the bucket', async () => {
    const store = s3Store({ prefix: 'shared/' });
    try {
      await store.check();
      await store.put(ref, Buffer.from(json));
      for (const foreign of ['shared/report.csv', `shared/${ref}.bak`, `elsewhere/${ref}`]) {
        await raw.send(new PutObjectCommand({ Bucket: BUCKET, Key: foreign, Body: 'not ours' }));
      }
      const refs: string[] = [];
      for await (const object of store.list()) refs.push(object.ref);
      expect(refs).toEqual([ref]);
    } finally {
      store.destroy();
    }
  });

  it('a missing bucket is an offload_failed error naming the bucket, the endpoint and the fix', async () => {
    const store = s3Store({ bucket: 'no-such-bucket' });
    try {
      const expected = {
        code: 'offload_failed',
        message: expect.stringMatching(
          new RegExp(
            `bucket "no-such-bucket" at ${server.endpoint}: the bucket does not exist; create it .*state\\.offload\\.s3\\.bucket`,
          ),
        ),
      };
      await expect(store.put(ref, Buffer.from(json))).rejects.toMatchObject(expected);
      await expect(store.check()).rejects.toMatchObject(expected);
      await expect(store.get(ref)).rejects.toMatchObject(expected);
      await expect(store.delete(ref)).rejects.toMatchObject(expected);
      await expect(listAll(store)).rejects.toMatchObject(expected);
    } finally {
      store.destroy();
    }
  });

  it('an unreachable endpoint is an offload_failed error naming it and the settings to check', async () => {
    const endpoint = `http://127.0.0.1:${await closedPort()}`;
    const store = s3Store({ endpoint });
    try {
      const expected = {
        code: 'offload_failed',
        message: expect.stringMatching(
          new RegExp(
            `bucket "${BUCKET}" at ${endpoint}: the store could not be reached .*state\\.offload\\.s3\\.endpoint`,
          ),
        ),
      };
      await expect(store.put(ref, Buffer.from(json))).rejects.toMatchObject(expected);
      await expect(store.check()).rejects.toMatchObject(expected);
      await expect(listAll(store)).rejects.toMatchObject(expected);
    } finally {
      store.destroy();
    }
  }, 30_000);

  it('refused credentials are an offload_failed error naming the AWS variables', async () => {
    const store = s3Store({ credentials: { accessKeyId: 'NOT-A-KEY', secretAccessKey: 'wrong' } });
    try {
      await expect(store.put(ref, Buffer.from(json))).rejects.toMatchObject({
        code: 'offload_failed',
        message: expect.stringMatching(/refused the credentials .*AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/),
      });
    } finally {
      store.destroy();
    }
  });
});

async function listAll(store: S3OffloadStore): Promise<string[]> {
  const refs: string[] = [];
  for await (const object of store.list()) refs.push(object.ref);
  return refs;
}

async function text(stream: AsyncIterable<Uint8Array> | undefined): Promise<string | undefined> {
  if (!stream) return undefined;
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}
