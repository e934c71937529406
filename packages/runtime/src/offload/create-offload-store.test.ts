import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ConfigLayer, offloadRef, resolveConfig } from '@tidemark/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createStateOffload } from './create-offload-store.ts';
import { FilesystemOffloadStore } from './filesystem-offload-store.ts';
import { S3OffloadStore } from './s3-offload-store.ts';
import { S3_TEST_CREDENTIALS, startS3TestServer } from './testing/s3-test-server.ts';

describe('state.offload settings and createStateOffload', () => {
  let home: string;
  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'tidemark-offload-config-'));
    file = undefined;
  });
  afterEach(() => {
    rmSync(home, { recursive: true, force: true });
    vi.unstubAllEnvs();
  });

  let file: ConfigLayer | undefined;
  const config = (env: Record<string, string> = {}) => resolveConfig({ home, file, env });

  it('defaults to none (no offloading) with a threshold of 32768 bytes', async () => {
    expect(config().state.offload).toEqual({ backend: 'none', threshold_bytes: 32_768, gzip: false });
    expect(await createStateOffload(config())).toBeUndefined();
  });

  it('filesystem: files under <home>/offload, or the folder set; environment variables win over the file', async () => {
    file = { state: { offload: { backend: 'filesystem', threshold_bytes: 100 } } };
    const offload = await createStateOffload(config());
    expect(offload).toMatchObject({ thresholdBytes: 100, store: { folder: join(home, 'offload') } });
    expect(offload?.store).toBeInstanceOf(FilesystemOffloadStore);
    // A relative folder is relative to the working directory, like core.dags_folder.
    const fromEnv = await createStateOffload(
      config({ TIDEMARK_STATE__OFFLOAD__THRESHOLD_BYTES: '5000', TIDEMARK_STATE__OFFLOAD__FOLDER: 'blobs' }),
      home,
    );
    expect(fromEnv).toMatchObject({ thresholdBytes: 5_000, store: { folder: join(home, 'blobs') } });
  });

  it('a module path exporting createOffloadStore; a bad module or value stops start-up naming the setting', async () => {
    writeFileSync(
      join(home, 'my-store.mjs'),
      'export function createOffloadStore({ config }) { return { custom: config.state.offload.threshold_bytes }; }',
    );
    const custom = await createStateOffload(config({ TIDEMARK_STATE__OFFLOAD__BACKEND: './my-store.mjs' }), home);
    expect(custom?.store).toEqual({ custom: 32_768 });
    await expect(
      createStateOffload(config({ TIDEMARK_STATE__OFFLOAD__BACKEND: './missing.mjs' }), home),
    ).rejects.toThrow(/setting "state.offload.backend" names ".\/missing.mjs", which could not be loaded/);
    writeFileSync(join(home, 'empty.mjs'), 'export const nothing = 1;');
    await expect(createStateOffload(config({ TIDEMARK_STATE__OFFLOAD__BACKEND: './empty.mjs' }), home)).rejects.toThrow(
      /exports no createOffloadStore function/,
    );
    expect(() => config({ TIDEMARK_STATE__OFFLOAD__THRESHOLD_BYTES: '0' })).toThrow(/state\.offload/);
    expect(() => config({ TIDEMARK_STATE__OFFLOAD__COLOUR: 'red' })).toThrow(/offload__colour/);
  });

  it('s3: the bucket and endpoint from the file or the environment, credentials from the AWS variables', async () => {
    const server = await startS3TestServer(['offload']);
    try {
      vi.stubEnv('AWS_ACCESS_KEY_ID', S3_TEST_CREDENTIALS.accessKeyId);
      vi.stubEnv('AWS_SECRET_ACCESS_KEY', S3_TEST_CREDENTIALS.secretAccessKey);
      file = { state: { offload: { backend: 's3', s3: { bucket: 'elsewhere', endpoint: server.endpoint } } } };
      const resolved = config({
        TIDEMARK_STATE__OFFLOAD__S3__BUCKET: 'offload',
        TIDEMARK_STATE__OFFLOAD__S3__PREFIX: 'tidemark/',
        TIDEMARK_STATE__OFFLOAD__S3__FORCE_PATH_STYLE: 'true',
        TIDEMARK_STATE__OFFLOAD__GZIP: 'true',
      });
      expect(resolved.state.offload).toEqual({
        backend: 's3',
        threshold_bytes: 32_768,
        gzip: true,
        s3: { bucket: 'offload', prefix: 'tidemark/', endpoint: server.endpoint, force_path_style: true },
      });
      const offload = await createStateOffload(resolved);
      const store = offload?.store as S3OffloadStore;
      expect(store).toBeInstanceOf(S3OffloadStore);
      expect(store).toMatchObject({ bucket: 'offload', prefix: 'tidemark/', gzip: true });
      const ref = offloadRef({ kind: 'asset', name: 'orders' }, 'k', Buffer.from('"v"'));
      try {
        await store.put(ref, Buffer.from('"v"'));
        const chunks: Uint8Array[] = [];
        for await (const chunk of (await store.get(ref)) ?? []) chunks.push(chunk);
        expect(Buffer.concat(chunks).toString('utf8')).toBe('"v"');
      } finally {
        store.destroy();
      }
    } finally {
      await server.close();
    }
  });

  it('s3 without a bucket, or with an endpoint that is no URL, stops start-up naming the setting', async () => {
    await expect(createStateOffload(config({ TIDEMARK_STATE__OFFLOAD__BACKEND: 's3' }))).rejects.toThrow(
      /"state\.offload\.backend" is "s3" but "state\.offload\.s3\.bucket" is not set/,
    );
    expect(() => config({ TIDEMARK_STATE__OFFLOAD__S3__ENDPOINT: 'minio:9000' })).toThrow(/offload__s3__endpoint/);
    file = { state: { offload: { s3: { bucket: 'b', colour: 'red' } } } };
    expect(() => config()).toThrow(/colour/);
  });
});
