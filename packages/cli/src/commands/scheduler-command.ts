import { Command } from 'commander';
import { loadConfig } from '../config/load-config.ts';
import { listenForStopSignals } from './process-lifecycle.ts';
import { serviceOverrides, withServiceOptions } from './service-options.ts';

export function schedulerCommand(): Command {
  return withServiceOptions(new Command('scheduler'))
    .description('parse DAG files, create runs and move task instances (several may run on PostgreSQL)')
    .action(async (options) => {
      // Loaded on use: the server and runtime cost ~1 s to import, which other commands need not pay.
      const { createLogger, openMigratedDatabase, runScheduler, startProcessObservability } = await import(
        './services.ts'
      );
      const config = loadConfig({ overrides: serviceOverrides(options) });
      const log = createLogger(config, 'scheduler');
      const signals = listenForStopSignals(log);
      const database = await openMigratedDatabase(config, false);
      const observability = await startProcessObservability(config, 'scheduler', log);
      const scheduler = await runScheduler(config, database, observability.registry);
      log.info(`scheduler started (DAGs from ${config.core.dags_folder}, database ${database.dialect})`);
      await signals.untilStopped([() => scheduler.stop(), () => database.close(), () => observability.stop()]);
    });
}
