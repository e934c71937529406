import { resolve } from 'node:path';
import type { TidemarkConfig } from '@tidemark/core';
import {
  assertSchemaCurrent,
  connectDatabase,
  createStateBackend,
  type MetadataDatabase,
  migrateToLatest,
} from '@tidemark/db';
import {
  createLogger,
  createStateOffload,
  DagProcessor,
  meterStateOffload,
  offloadSweepsFor,
  SchedulerMetrics,
  startScheduler,
  startWorker,
  WorkerMetrics,
} from '@tidemark/runtime';
import { buildApiServer } from '@tidemark/server';
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { resolveSecretKey, SESSION_KEY_FILE } from '../config/secret-key.ts';

/** The building blocks of `standalone`, `api-server`, `scheduler`, `worker` and `triggerer`. */

export { createLogger, startProcessObservability } from '@tidemark/runtime';
export { runTriggerer } from './triggerer-service.ts';

export async function openMigratedDatabase(config: TidemarkConfig, migrate: boolean): Promise<MetadataDatabase> {
  const database = await connectDatabase(config.database.url, {
    sqliteBusyTimeoutMs: config.database.sqlite_busy_timeout,
  });
  try {
    if (migrate) await migrateToLatest(database);
    else await assertSchemaCurrent(database);
  } catch (error) {
    await database.close();
    throw error;
  }
  return database;
}

export function logsFolder(config: TidemarkConfig): string {
  return resolve(config.home, 'logs');
}

export function dagsFolder(config: TidemarkConfig): string {
  return resolve(config.core.dags_folder);
}

export async function listenApiServer(
  config: TidemarkConfig,
  database: MetadataDatabase,
  metricsRegistry?: Registry,
): Promise<{ app: FastifyInstance; url: string }> {
  const app = await buildApiServer({
    config,
    database,
    secretKey: resolveSecretKey(config.api.secret_key, config.home),
    sessionKey: resolveSecretKey(config.api.session_key, config.home, SESSION_KEY_FILE),
    logsFolder: logsFolder(config),
    stateBackend: await createStateBackend(config, database),
    loggerInstance: createLogger(config, 'api-server'),
    ...(metricsRegistry ? { metricsRegistry } : {}),
  });
  await app.listen({ host: config.api.host, port: config.api.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.api.port;
  return { app, url: `http://${config.api.host}:${port}` };
}

export async function runScheduler(config: TidemarkConfig, database: MetadataDatabase, metricsRegistry?: Registry) {
  const log = createLogger(config, 'scheduler');
  const processor = new DagProcessor({ dagsFolder: dagsFolder(config), log: createLogger(config, 'dags') });
  return startScheduler({
    config,
    database,
    log,
    dagProcessor: { runOnce: (now) => processor.runOnce(database, { dagsFolder: dagsFolder(config), now }) },
    stateGc: { extraSweeps: await offloadSweepsFor(config, database) },
    metrics: metricsRegistry && new SchedulerMetrics(metricsRegistry),
  });
}

export async function runWorker(config: TidemarkConfig, apiUrl: string, metricsRegistry?: Registry) {
  const logger = createLogger(config, 'worker');
  const metrics = metricsRegistry && new WorkerMetrics(metricsRegistry);
  const offload = meterStateOffload(await createStateOffload(config), metrics);
  // The store may come up after the worker; until then only values above the threshold fail.
  await offload?.store
    .check?.()
    .catch((error: unknown) =>
      logger.warn(
        { err: error },
        'the offload store is not usable; the worker starts anyway, and values above the offload threshold fail until it is fixed',
      ),
    );
  return startWorker({
    apiUrl,
    secretKey: resolveSecretKey(config.api.secret_key, config.home),
    dagsFolder: dagsFolder(config),
    parallelism: config.worker.parallelism,
    pollIntervalMs: config.worker.poll_interval,
    warmProcesses: config.worker.warm_processes,
    maxAttemptsPerProcess: config.worker.max_attempts_per_process,
    maxProcessMemoryMb: config.worker.max_process_memory_mb,
    killGracePeriodMs: config.worker.kill_grace_period,
    logger,
    offload,
    metrics,
  });
}
