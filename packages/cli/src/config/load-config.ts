import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  CONFIG_FILE_NAME,
  type ConfigLayer,
  parseConfigFile,
  resolveConfig,
  type TidemarkConfig,
} from '@tidemark/core';

export interface LoadConfigOptions {
  /** Defaults to `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
  /** Command-line flags, as `{section: {key: value}}`; they win over everything. */
  readonly overrides?: ConfigLayer;
  readonly cwd?: string;
}

/**
 * The configuration of this process: home `TIDEMARK_HOME` (default `./.tidemark`), its
 * `tidemark.config.json`, the environment and the flags, merged by core's `resolveConfig`.
 */
export function loadConfig(options: LoadConfigOptions = {}): TidemarkConfig {
  const env = options.env ?? process.env;
  const home = resolve(options.cwd ?? process.cwd(), env.TIDEMARK_HOME || '.tidemark');
  const path = join(home, CONFIG_FILE_NAME);
  const file = existsSync(path) ? parseConfigFile(path, readFileSync(path, 'utf8')) : undefined;
  return resolveConfig({ home, file, env, overrides: options.overrides });
}
