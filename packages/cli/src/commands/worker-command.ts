import { ConfigError } from '@tidemark/core';
import { Command } from 'commander';
import { loadConfig } from '../config/load-config.ts';
import { listenForStopSignals } from './process-lifecycle.ts';

/** Runs attempts claimed from an api-server; never opens the database. */
export function workerCommand(): Command {
  return new Command('worker')
    .description('run task attempts claimed from an api-server (HTTP only; no database access)')
    .option('--api-url <url>', 'the api-server, e.g. http://127.0.0.1:8080 (worker.api_url)')
    .option('--dags-folder <path>', 'folder of DAG files (core.dags_folder)')
    .option('--parallelism <n>', 'attempts at once (worker.parallelism)')
    .action(async (options: { apiUrl?: string; dagsFolder?: string; parallelism?: string }) => {
      // Loaded on use: the server and runtime cost ~1 s to import, which other commands need not pay.
      const { createLogger, runWorker, startProcessObservability } = await import('./services.ts');
      const config = loadConfig({
        overrides: {
          worker: {
            ...(options.apiUrl ? { api_url: options.apiUrl } : {}),
            ...(options.parallelism ? { parallelism: options.parallelism } : {}),
          },
          core: options.dagsFolder ? { dags_folder: options.dagsFolder } : {},
        },
      });
      const apiUrl = config.worker.api_url;
      if (!apiUrl) {
        throw new ConfigError('a worker needs the api-server URL: pass --api-url or set TIDEMARK_WORKER__API_URL');
      }
      const log = createLogger(config, 'worker');
      const signals = listenForStopSignals(log);
      const observability = await startProcessObservability(config, 'worker', log);
      const worker = await runWorker(config, apiUrl, observability.registry);
      log.info(`worker started against ${apiUrl} (parallelism ${config.worker.parallelism})`);
      await signals.untilStopped([() => worker.stop(), () => observability.stop()]);
    });
}
