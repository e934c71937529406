import { isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError, type OffloadStore, type OffloadStoreFactory, type TidemarkConfig } from '@tidemark/core';
import { FilesystemOffloadStore } from './filesystem-offload-store.ts';

/** What the supervisor needs to offload large values: the store, and the size above which it is used. */
export interface StateOffload {
  readonly store: OffloadStore;
  /** Values whose UTF-8 JSON is longer than this many bytes are offloaded. */
  readonly thresholdBytes: number;
}

/**
 * SPEC §9.2, on a worker: `state.offload.backend` is `none` (the default: no offloading),
 * `filesystem` (files under `state.offload.folder`, default `<home>/offload`), or a module path
 * exporting `createOffloadStore` (or a default export) of type OffloadStoreFactory.
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
        'use "none", "filesystem" or a module path that exports createOffloadStore',
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
