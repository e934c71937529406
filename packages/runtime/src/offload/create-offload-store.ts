import { isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError, type OffloadStore, type OffloadStoreFactory, type TidemarkConfig } from '@tidemark/core';
import { FilesystemOffloadStore } from './filesystem-offload-store.ts';
import { S3OffloadStore } from './s3-offload-store.ts';

/** What the supervisor needs to offload large values: the store, and the size above which it is used. */
export interface StateOffload {
  readonly store: OffloadStore;
  /** Values whose UTF-8 JSON is longer than this many bytes are offloaded. */
  readonly thresholdBytes: number;
}

/**
 * SPEC §9.2, on a worker: `state.offload.backend` is `none` (the default: no offloading),
 * `filesystem` (files under `state.offload.folder`, default `<home>/offload`), `s3` (a bucket of
 * AWS S3 or an S3-compatible store, `state.offload.s3.*`), or a module path exporting
 * `createOffloadStore` (or a default export) of type OffloadStoreFactory.
 */
export async function createStateOffload(
  config: TidemarkConfig,
  cwd = process.cwd(),
): Promise<StateOffload | undefined> {
  const offload = config.state.offload;
  if (offload.backend === 'none') return undefined;
  return { store: await createOffloadStore(config, cwd), thresholdBytes: offload.threshold_bytes };
}

export async function createOffloadStore(config: TidemarkConfig, cwd = process.cwd()): Promise<OffloadStore> {
  const { backend } = config.state.offload;
  if (backend === 'filesystem') return new FilesystemOffloadStore(offloadFolderOf(config, cwd));
  if (backend === 's3') return s3OffloadStoreOf(config);
  if (backend === 'none') {
    throw new ConfigError('setting "state.offload.backend" is "none": there is no offload store to open');
  }
  const specifier =
    backend.startsWith('.') || isAbsolute(backend) ? pathToFileURL(resolve(cwd, backend)).href : backend;
  let module: { createOffloadStore?: unknown; default?: unknown };
  try {
    module = await import(specifier);
  } catch (error) {
    throw new ConfigError(
      `setting "state.offload.backend" names "${backend}", which could not be loaded (${(error as Error).message}); ` +
        'use "none", "filesystem", "s3" or a module path that exports createOffloadStore',
    );
  }
  const factory = module.createOffloadStore ?? module.default;
  if (typeof factory !== 'function') {
    throw new ConfigError(
      `setting "state.offload.backend" names "${backend}", which exports no createOffloadStore function (nor a default one)`,
    );
  }
  return (factory as OffloadStoreFactory)({ config });
}

/** `state.offload.folder`, relative to the working directory; default `<home>/offload`. */
export function offloadFolderOf(config: TidemarkConfig, cwd = process.cwd()): string {
  const { folder } = config.state.offload;
  return folder === undefined ? join(config.home, 'offload') : resolve(cwd, folder);
}

/** `state.offload.s3.*`; credentials come from the standard AWS chain, not from the settings. */
function s3OffloadStoreOf(config: TidemarkConfig): S3OffloadStore {
  const { s3, gzip } = config.state.offload;
  if (s3 === undefined) {
    throw new ConfigError(
      'setting "state.offload.backend" is "s3" but "state.offload.s3.bucket" is not set; ' +
        'name an existing bucket (TIDEMARK_STATE__OFFLOAD__S3__BUCKET or state.offload.s3.bucket in the config file)',
    );
  }
  return new S3OffloadStore({
    bucket: s3.bucket,
    prefix: s3.prefix,
    ...(s3.endpoint === undefined ? {} : { endpoint: s3.endpoint }),
    ...(s3.region === undefined ? {} : { region: s3.region }),
    forcePathStyle: s3.force_path_style,
    gzip,
  });
}
