import { ConfigError } from '@tidemark/core';
import { Command } from 'commander';
import { loadConfig } from '../config/load-config.ts';
import { listenForStopSignals } from './process-lifecycle.ts';

/** Runs asset watchers (SPEC §15.3) and deferred tasks' waits (SPEC §16) leased from an api-server; never opens the database. */
export function triggererCommand(): Command {
  return new Command('triggerer')
    .description(
      'run the asset watchers of DAG files and the waits of deferred tasks, leased from an api-server (HTTP only; no database access)',
    )
    .option('--api-url <url>', 'the api-server, e.g. http://127.0.0.1:8080 (triggerer.api_url, else worker.api_url)')
    .option('--dags-folder <path>', 'folder of DAG files (core.dags_folder)')
    .option('--capacity <n>', 'watchers this triggerer runs at most (triggerer.capacity)')
    .action(async (options: { apiUrl?: string; dagsFolder?: string; capacity?: string }) => {
      // Loaded on use, and only the triggerer's part of the runtime: a triggerer holds no more than it runs.
      const { createLogger, startProcessObservability } = await import('@tidemark/runtime/triggerer-process');
      const { runTriggerer } = await import('./triggerer-service.ts');
      const config = loadConfig({
        overrides: {
          triggerer: {
            ...(options.apiUrl ? { api_url: options.apiUrl } : {}),
            ...(options.capacity ? { capacity: options.capacity } : {}),
          },
          core: options.dagsFolder ? { dags_folder: options.dagsFolder } : {},
        },
      });
      const apiUrl = config.triggerer.api_url ?? config.worker.api_url;
      if (!apiUrl) {
        throw new ConfigError(
          'a triggerer needs the api-server URL: pass --api-url or set TIDEMARK_TRIGGERER__API_URL (or TIDEMARK_WORKER__API_URL)',
        );
      }
      const log = createLogger(config, 'triggerer');
      const signals = listenForStopSignals(log);
      const observability = await startProcessObservability(config, 'triggerer', log);
      const triggerer = await runTriggerer(config, apiUrl);
      log.info(
        `triggerer ${triggerer.id} started against ${apiUrl} (capacity ${config.triggerer.capacity} watchers, ` +
          `${config.triggerer.deferral_capacity} deferrals)`,
      );
      await signals.untilStopped([() => triggerer.stop(), () => observability.stop()]);
    });
}
