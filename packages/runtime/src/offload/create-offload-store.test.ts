import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ConfigLayer, resolveConfig } from '@tidemark/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createStateOffload } from './create-offload-store.ts';
import { FilesystemOffloadStore } from './filesystem-offload-store.ts';

describe('state.offload settings and createStateOffload', () => {
  let home: string;
  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'tidemark-offload-config-'));
    file = undefined;
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  let file: ConfigLayer | undefined;
  const config = (env: Record<string, string> = {}) => resolveConfig({ home, file, env });

  it('defaults to none (no offloading) with a threshold of 32768 bytes', async () => {
    expect(config().state.offload).toEqual({ backend: 'none', threshold_bytes: 32_768 });
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
});
