import { loadConfig } from '@tidemark/core';
import { createLogger } from '@tidemark/runtime';
import { Command } from 'commander';
import { untilStopped } from './process-lifecycle.ts';
import { serviceOverrides, withServiceOptions } from './service-options.ts';
import { listenApiServer, openMigratedDatabase, runScheduler, runWorker } from './services.ts';

/** api-server + scheduler + one worker in one process (task code still runs in child processes). */
export function standaloneCommand(): Command {
  return withServiceOptions(new Command('standalone'))
    .description('run the api-server, the scheduler and a worker in one process (SQLite by default)')
    .action(async (options) => {
      const config = loadConfig({ overrides: serviceOverrides(options) });
      const log = createLogger(config, 'standalone');
      const database = await openMigratedDatabase(config, true);
      const { app, url } = await listenApiServer(config, database);
      const scheduler = runScheduler(config, database);
      const worker = runWorker(config, url);
      log.info(`Tidemark is running at ${url} (DAGs from ${config.core.dags_folder}, database ${database.dialect})`);
      await untilStopped(log, [() => worker.stop(), () => scheduler.stop(), () => app.close(), () => database.close()]);
    });
}
