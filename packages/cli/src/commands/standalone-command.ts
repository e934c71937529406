import { Command } from 'commander';
import { loadConfig } from '../config/load-config.ts';
import { listenForStopSignals } from './process-lifecycle.ts';
import { serviceOverrides, withServiceOptions } from './service-options.ts';

/** The database modules load when a command needs them, not with every `tidemark` command. */
const dbModule = () => import('@tidemark/db');

/**
 * api-server + scheduler + one worker + one triggerer in one process (task and watcher code still
 * run in child processes).
 */
export function standaloneCommand(): Command {
  return withServiceOptions(new Command('standalone'))
    .description('run the api-server, the scheduler, a worker and a triggerer in one process (SQLite by default)')
    .action(async (options) => {
      // Loaded on use: the server and runtime cost ~1 s to import, which other commands need not pay.
      const {
        createLogger,
        listenApiServer,
        openMigratedDatabase,
        runScheduler,
        runTriggerer,
        runWorker,
        startProcessObservability,
      } = await import('./services.ts');
      const config = loadConfig({ overrides: serviceOverrides(options) });
      const log = createLogger(config, 'standalone');
      const signals = listenForStopSignals(log);
      const database = await openMigratedDatabase(config, true);
      const admin = await (await dbModule()).ensureAdminUser(database, {
        home: config.home,
        configuredPassword: config.api.admin_password,
      });
      if (admin.password) {
        log.info(
          `Created user "admin" with password ${admin.password} (also in ${admin.passwordFile}); change it with: tidemark users reset-password admin`,
        );
      } else if (admin.created) log.info('Created user "admin" with the password set in api.admin_password');
      // One registry for the four: the api-server's /metrics shows them all.
      const observability = await startProcessObservability(config, 'standalone', log);
      const { app, url } = await listenApiServer(config, database, observability.registry);
      const scheduler = await runScheduler(config, database, observability.registry);
      const worker = await runWorker(config, url, observability.registry);
      const triggerer = await runTriggerer(config, url);
      log.info(`Tidemark is running at ${url} (DAGs from ${config.core.dags_folder}, database ${database.dialect})`);
      await signals.untilStopped([
        () => Promise.all([worker.stop(), triggerer.stop()]),
        () => scheduler.stop(),
        () => app.close(),
        () => database.close(),
        () => observability.stop(),
      ]);
    });
}
