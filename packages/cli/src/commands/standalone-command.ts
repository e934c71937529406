import { ensureAdminUser } from '@tidemark/db';
import { Command } from 'commander';
import { loadConfig } from '../config/load-config.ts';
import { untilStopped } from './process-lifecycle.ts';
import { serviceOverrides, withServiceOptions } from './service-options.ts';

/** api-server + scheduler + one worker in one process (task code still runs in child processes). */
export function standaloneCommand(): Command {
  return withServiceOptions(new Command('standalone'))
    .description('run the api-server, the scheduler and a worker in one process (SQLite by default)')
    .action(async (options) => {
      // Loaded on use: the server and runtime cost ~1 s to import, which other commands need not pay.
      const {
        createLogger,
        listenApiServer,
        openMigratedDatabase,
        runScheduler,
        runWorker,
        startProcessObservability,
      } = await import('./services.ts');
      const config = loadConfig({ overrides: serviceOverrides(options) });
      const log = createLogger(config, 'standalone');
      const database = await openMigratedDatabase(config, true);
      const admin = await ensureAdminUser(database, {
        home: config.home,
        configuredPassword: config.api.admin_password,
      });
      if (admin.password) {
        log.info(
          `Created user "admin" with password ${admin.password} (also in ${admin.passwordFile}); change it with: tidemark users reset-password admin`,
        );
      } else if (admin.created) log.info('Created user "admin" with the password set in api.admin_password');
      // One registry for the three: the api-server's /metrics shows them all.
      const observability = await startProcessObservability(config, 'standalone', log);
      const { app, url } = await listenApiServer(config, database, observability.registry);
      const scheduler = await runScheduler(config, database, observability.registry);
      const worker = await runWorker(config, url, observability.registry);
      log.info(`Tidemark is running at ${url} (DAGs from ${config.core.dags_folder}, database ${database.dialect})`);
      await untilStopped(log, [
        () => worker.stop(),
        () => scheduler.stop(),
        () => app.close(),
        () => database.close(),
        () => observability.stop(),
      ]);
    });
}
