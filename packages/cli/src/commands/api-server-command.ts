import { Command } from 'commander';
import { loadConfig } from '../config/load-config.ts';
import { listenForStopSignals } from './process-lifecycle.ts';
import { serviceOverrides, withServiceOptions } from './service-options.ts';

export function apiServerCommand(): Command {
  return withServiceOptions(new Command('api-server'))
    .description('serve the public API (/api/v2, docs at /docs) and the execution API for workers')
    .action(async (options) => {
      // Loaded on use: the server and runtime cost ~1 s to import, which other commands need not pay.
      const { createLogger, listenApiServer, openMigratedDatabase, startProcessObservability } = await import(
        './services.ts'
      );
      const config = loadConfig({ overrides: serviceOverrides(options) });
      const log = createLogger(config, 'api-server');
      const signals = listenForStopSignals(log);
      const observability = await startProcessObservability(config, 'api-server', log);
      const database = await openMigratedDatabase(config, false);
      const { app, url } = await listenApiServer(config, database, observability.registry);
      log.info(`api-server listening at ${url}`);
      await signals.untilStopped([() => app.close(), () => database.close(), () => observability.stop()]);
    });
}
