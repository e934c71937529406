import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError, type StateBackend, type StateBackendFactory, type TidemarkConfig } from '@tidemark/core';
import type { MetadataDatabase } from '../open-database.ts';
import { stateValueCipher } from './encryption/state-value-cipher.ts';
import { MetastoreStateBackend } from './metastore-state-backend.ts';

export const METASTORE_BACKEND = 'metastore';

/** SPEC §9.1: `state.backend` is `metastore` (the default) or a module exporting a factory. */
export async function createStateBackend(
  config: TidemarkConfig,
  database: MetadataDatabase,
  cwd = process.cwd(),
): Promise<StateBackend> {
  const settings = { maxValueBytes: config.state.max_value_bytes, historyDepth: config.state.history_depth };
  const name = config.state.backend;
  if (name === METASTORE_BACKEND) {
    return new MetastoreStateBackend(database, settings, stateValueCipher(config), {
      writeBatchSize: config.state.write_batch_size,
    });
  }

  const specifier = name.startsWith('.') || isAbsolute(name) ? pathToFileURL(resolve(cwd, name)).href : name;
  let module: { createStateBackend?: unknown; default?: unknown };
  try {
    module = await import(specifier);
  } catch (error) {
    throw new ConfigError(
      `setting "state.backend" names "${name}", which could not be loaded (${(error as Error).message}); ` +
        `use "${METASTORE_BACKEND}" or a module path that exports createStateBackend`,
    );
  }
  const factory = module.createStateBackend ?? module.default;
  if (typeof factory !== 'function') {
    throw new ConfigError(
      `setting "state.backend" names "${name}", which exports no createStateBackend function (nor a default one)`,
    );
  }
  return (factory as StateBackendFactory)({ settings, config });
}
