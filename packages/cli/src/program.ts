import { TIDEMARK_VERSION } from '@tidemark/core';
import { Command } from 'commander';
import { apiServerCommand } from './commands/api-server-command.ts';
import { assetsCommand } from './commands/assets-command.ts';
import { dagsCommand } from './commands/dags-command.ts';
import { dbCommand } from './commands/db-command.ts';
import { loginCommand } from './commands/login-command.ts';
import { runsCommand } from './commands/runs-command.ts';
import { schedulerCommand } from './commands/scheduler-command.ts';
import { standaloneCommand } from './commands/standalone-command.ts';
import { stateCommand } from './commands/state-command.ts';
import { stateStoreCommand } from './commands/state-store-command.ts';
import { tasksCommand } from './commands/tasks-command.ts';
import { triggererCommand } from './commands/triggerer-command.ts';
import { usersCommand } from './commands/users-command.ts';
import { watchersCommand } from './commands/watchers-command.ts';
import { workerCommand } from './commands/worker-command.ts';

export function buildProgram(): Command {
  const program = new Command('tidemark')
    .description('Durable task state for data and AI pipelines')
    .version(TIDEMARK_VERSION, '-V, --version', 'print the Tidemark version')
    .showHelpAfterError()
    // Program options (-V/--version) only before the command, so `state restore --version N` is the command's.
    .enablePositionalOptions()
    .exitOverride();
  program
    .command('version')
    .description('print the Tidemark version')
    .action(() => {
      process.stdout.write(`${TIDEMARK_VERSION}\n`);
    });
  program.addCommand(dbCommand());
  program.addCommand(standaloneCommand());
  program.addCommand(apiServerCommand());
  program.addCommand(schedulerCommand());
  program.addCommand(workerCommand());
  program.addCommand(triggererCommand());
  program.addCommand(usersCommand());
  program.addCommand(loginCommand());
  program.addCommand(dagsCommand());
  program.addCommand(runsCommand());
  program.addCommand(tasksCommand());
  program.addCommand(assetsCommand());
  program.addCommand(stateCommand());
  program.addCommand(stateStoreCommand());
  program.addCommand(watchersCommand());
  return program;
}
