import { resolve } from 'node:path';
import type { TidemarkConfig } from '@tidemark/core';
import { createLogger, createStateOffload, startTriggerer } from '@tidemark/runtime/triggerer-process';
import { resolveSecretKey } from '../config/secret-key.ts';

/**
 * Starts a triggerer (SPEC §15.3, §16) from the config. Imports only the triggerer's side of the
 * runtime, so `tidemark triggerer` does not hold the scheduler, worker and database modules.
 */
export async function runTriggerer(config: TidemarkConfig, apiUrl: string) {
  const logger = createLogger(config, 'triggerer');
  const offload = await createStateOffload(config);
  await offload?.store
    .check?.()
    .catch((error: unknown) =>
      logger.warn(
        { err: error },
        'the offload store is not usable; the triggerer starts anyway, and watcher values above the offload threshold fail until it is fixed',
      ),
    );
  return startTriggerer({
    apiUrl,
    secretKey: resolveSecretKey(config.api.secret_key, config.home),
    dagsFolder: resolve(config.core.dags_folder),
    capacity: config.triggerer.capacity,
    deferralCapacity: config.triggerer.deferral_capacity,
    leaseTimeoutMs: config.triggerer.lease_timeout,
    watcherStallTimeoutMs: config.triggerer.watcher_stall_timeout,
    logger,
    offload,
  });
}
