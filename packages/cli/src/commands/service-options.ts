import type { Command } from 'commander';

export interface ServiceOptions {
  port?: string;
  host?: string;
  dagsFolder?: string;
}

/** Flags every long-running command shares; they win over environment and config file. */
export function withServiceOptions(command: Command): Command {
  return command
    .option('--port <port>', 'port of the api-server (api.port)')
    .option('--host <host>', 'address the api-server listens on (api.host)')
    .option('--dags-folder <path>', 'folder of DAG files (core.dags_folder)');
}

export function serviceOverrides(options: ServiceOptions) {
  return {
    api: {
      ...(options.port !== undefined ? { port: options.port } : {}),
      ...(options.host ? { host: options.host } : {}),
    },
    core: options.dagsFolder ? { dags_folder: options.dagsFolder } : {},
  };
}
