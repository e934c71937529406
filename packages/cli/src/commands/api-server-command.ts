import { loadConfig } from '@tidemark/core';
import { createLogger } from '@tidemark/runtime';
import { Command } from 'commander';
import { untilStopped } from './process-lifecycle.ts';
import { serviceOverrides, withServiceOptions } from './service-options.ts';
import { listenApiServer, openMigratedDatabase } from './services.ts';

export function apiServerCommand(): Command {
  return withServiceOptions(new Command('api-server'))
    .description('serve the execution API (and, later, the public API and UI)')
    .action(async (options) => {
      const config = loadConfig({ overrides: serviceOverrides(options) });
      const log = createLogger(config, 'api-server');
      const database = await openMigratedDatabase(config, false);
      const { app, url } = await listenApiServer(config, database);
      log.info(`api-server listening at ${url}`);
      await untilStopped(log, [() => app.close(), () => database.close()]);
    });
}
