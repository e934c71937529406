import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONFIG_FILE_NAME, ConfigError } from '@tidemark/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type LoadConfigOptions, loadConfig } from './load-config.ts';

let cwd: string;

beforeEach(() => {
  cwd = mkdtempSync(join(tmpdir(), 'tidemark-config-'));
});

afterEach(() => {
  rmSync(cwd, { recursive: true, force: true });
});

/** Writes `tidemark.config.json` into the default home folder `<cwd>/.tidemark` (or `home`). */
function writeConfigFile(content: unknown, home = join(cwd, '.tidemark')): string {
  mkdirSync(home, { recursive: true });
  const path = join(home, CONFIG_FILE_NAME);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

function load(options: Omit<LoadConfigOptions, 'cwd'> = {}) {
  return loadConfig({ env: {}, ...options, cwd });
}

function configError(options: Omit<LoadConfigOptions, 'cwd'>): ConfigError {
  try {
    load(options);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).code).toBe('invalid_config');
    return error as ConfigError;
  }
  throw new Error('expected loadConfig to throw a ConfigError');
}

describe('loadConfig defaults', () => {
  it('returns every default when there is no file, no environment and no flag', () => {
    const home = join(cwd, '.tidemark');
    expect(load()).toEqual({
      home,
      core: { dags_folder: './dags' },
      database: { url: `sqlite:${join(home, 'tidemark.db')}`, sqlite_busy_timeout: 5_000 },
      state: {
        backend: 'metastore',
        max_value_bytes: 65_536,
        default_retention: 30 * 86_400_000,
        history_depth: 10,
        gc_interval: 3_600_000,
        gc_batch_size: 5_000,
        write_batch_size: 64,
        clear_on_success: false,
        offload: { backend: 'none', threshold_bytes: 32_768, gzip: false },
      },
      api: { host: '127.0.0.1', port: 8080, token_ttl: 600_000, user_token_ttl: 86_400_000 },
      scheduler: { task_heartbeat_timeout: 30_000, loop_interval: 250, dag_scan_interval: 5_000 },
      worker: {
        parallelism: 8,
        kill_grace_period: 5_000,
        poll_interval: 200,
        warm_processes: 1,
        max_attempts_per_process: 100,
        max_process_memory_mb: 512,
      },
      triggerer: {
        capacity: 1_000,
        lease_timeout: 30_000,
        max_backoff: 300_000,
        watcher_stall_timeout: 30_000,
        deferral_capacity: 5_000,
      },
      metrics: { enabled: true, host: '127.0.0.1', scheduler_port: 0, worker_port: 0, triggerer_port: 0 },
      tracing: { service_name: 'tidemark', sample_ratio: 1 },
      logging: { level: 'info', format: 'pretty' },
    });
  });

  it('resolves a relative TIDEMARK_HOME against cwd and puts the default SQLite database in it', () => {
    const config = load({ env: { TIDEMARK_HOME: 'state-home' } });
    expect(config.home).toBe(join(cwd, 'state-home'));
    expect(config.database.url).toBe(`sqlite:${join(cwd, 'state-home', 'tidemark.db')}`);
  });

  it('uses an absolute TIDEMARK_HOME as it is and falls back to ./.tidemark when it is empty', () => {
    const home = join(cwd, 'elsewhere', 'home');
    expect(load({ env: { TIDEMARK_HOME: home } }).home).toBe(home);
    expect(load({ env: { TIDEMARK_HOME: '' } }).home).toBe(join(cwd, '.tidemark'));
  });

  it('takes the database URL from TIDEMARK_DATABASE__URL verbatim', () => {
    const url = 'postgres://tidemark@db.internal:5432/tidemark';
    expect(load({ env: { TIDEMARK_DATABASE__URL: url } }).database.url).toBe(url);
  });
});

describe('loadConfig precedence', () => {
  it('a config file value beats the default', () => {
    writeConfigFile({ state: { history_depth: 20 } });
    expect(load().state.history_depth).toBe(20);
  });

  it('an environment variable beats the config file', () => {
    writeConfigFile({ state: { history_depth: 20 } });
    expect(load({ env: { TIDEMARK_STATE__HISTORY_DEPTH: '30' } }).state.history_depth).toBe(30);
  });

  it('a command-line override beats the environment and the config file', () => {
    writeConfigFile({ state: { history_depth: 20 } });
    const config = load({
      env: { TIDEMARK_STATE__HISTORY_DEPTH: '30' },
      overrides: { state: { history_depth: 40 } },
    });
    expect(config.state.history_depth).toBe(40);
  });

  it('merges layers key by key within a section', () => {
    writeConfigFile({ state: { history_depth: 20, gc_batch_size: 7 } });
    const config = load({
      env: { TIDEMARK_STATE__MAX_VALUE_BYTES: '1024', TIDEMARK_STATE__GC_BATCH_SIZE: '8' },
      overrides: { state: { backend: 's3' } },
    });
    expect(config.state).toMatchObject({
      history_depth: 20,
      gc_batch_size: 8,
      max_value_bytes: 1024,
      backend: 's3',
      clear_on_success: false,
    });
  });

  it('reads the config file from the home folder, not from cwd', () => {
    writeFileSync(join(cwd, CONFIG_FILE_NAME), JSON.stringify({ api: { port: 1111 } }));
    writeConfigFile({ api: { port: 2222 } }, join(cwd, 'custom-home'));
    expect(load({ env: { TIDEMARK_HOME: 'custom-home' } }).api.port).toBe(2222);
    expect(load().api.port).toBe(8080);
  });

  it('maps TIDEMARK_<SECTION>__<KEY> case-insensitively to section.key and ignores other variables', () => {
    const config = load({
      env: {
        TIDEMARK_LOGGING__LEVEL: 'debug',
        TIDEMARK_API__HOST: '0.0.0.0',
        STATE__HISTORY_DEPTH: 'not-a-number',
        OTHER_STATE__HISTORY_DEPTH: 'not-a-number',
        TIDEMARK_SOMETHING: 'no double underscore, not a setting',
      },
    });
    expect(config.logging.level).toBe('debug');
    expect(config.api.host).toBe('0.0.0.0');
    expect(config.state.history_depth).toBe(10);
  });
});

describe('loadConfig value parsing', () => {
  it('turns integer strings from the environment into numbers', () => {
    const config = load({ env: { TIDEMARK_API__PORT: '9090', TIDEMARK_STATE__MAX_VALUE_BYTES: '0' } });
    expect(config.api.port).toBe(9090);
    expect(config.state.max_value_bytes).toBe(0);
  });

  it('parses durations in milliseconds from text and from a number of seconds', () => {
    writeConfigFile({ scheduler: { task_heartbeat_timeout: 90 } });
    const config = load({
      env: { TIDEMARK_STATE__DEFAULT_RETENTION: '30d', TIDEMARK_STATE__GC_INTERVAL: '2s' },
    });
    expect(config.state.default_retention).toBe(2_592_000_000);
    expect(config.state.gc_interval).toBe(2_000);
    expect(config.scheduler.task_heartbeat_timeout).toBe(90_000);
    expect(load({ env: { TIDEMARK_STATE__DEFAULT_RETENTION: '0' } }).state.default_retention).toBe(0);
  });

  it('parses the booleans "true" and "false" and real booleans', () => {
    expect(load({ env: { TIDEMARK_STATE__CLEAR_ON_SUCCESS: 'true' } }).state.clear_on_success).toBe(true);
    writeConfigFile({ state: { clear_on_success: true } });
    expect(load({ env: { TIDEMARK_STATE__CLEAR_ON_SUCCESS: 'false' } }).state.clear_on_success).toBe(false);
    expect(load().state.clear_on_success).toBe(true);
  });
});

describe('loadConfig errors', () => {
  it('refuses an unknown key or section from the environment, naming the setting and the variable', () => {
    const error = configError({ env: { TIDEMARK_STATE__BOGUS: '1' } });
    expect(error.message).toContain('unknown setting "state.bogus" (from environment variable TIDEMARK_STATE__BOGUS)');
    expect(configError({ env: { TIDEMARK_NOPE__KEY: '1' } }).message).toContain(
      'unknown setting "nope" (from a TIDEMARK_NOPE__* environment variable)',
    );
  });

  it('refuses an unknown key and an unknown section from the config file', () => {
    writeConfigFile({ api: { hostname: 'x' } });
    expect(configError({}).message).toContain(`unknown setting "api.hostname" (from ${CONFIG_FILE_NAME})`);
    writeConfigFile({ apis: { host: 'x' } });
    expect(configError({}).message).toContain(`unknown setting "apis" (from ${CONFIG_FILE_NAME})`);
  });

  it('refuses an unknown key from the command line', () => {
    const error = configError({ overrides: { scheduler: { heartbeat: '5s' } } });
    expect(error.message).toContain('unknown setting "scheduler.heartbeat" (from the command line)');
  });

  it('refuses a negative integer from the environment', () => {
    const error = configError({ env: { TIDEMARK_STATE__HISTORY_DEPTH: '-1' } });
    expect(error.message).toBe(
      'setting "state.history_depth" (from environment variable TIDEMARK_STATE__HISTORY_DEPTH) is invalid: expected a whole number ≥ 0',
    );
  });

  it('refuses fractional integers from the environment and the config file', () => {
    const error = configError({ env: { TIDEMARK_STATE__MAX_VALUE_BYTES: '1.5' } });
    expect(error.message).toMatch(
      /^setting "state\.max_value_bytes" \(from environment variable TIDEMARK_STATE__MAX_VALUE_BYTES\) is invalid: /,
    );
    writeConfigFile({ api: { port: 80.5 } });
    expect(configError({}).message).toBe(
      `setting "api.port" (from ${CONFIG_FILE_NAME}) is invalid: expected a whole number`,
    );
  });

  it('refuses a gc_batch_size below its minimum of 1', () => {
    const error = configError({ overrides: { state: { gc_batch_size: 0 } } });
    expect(error.message).toBe(
      'setting "state.gc_batch_size" (from the command line) is invalid: expected a whole number ≥ 1',
    );
  });

  it('refuses a boolean that is not true or false', () => {
    const error = configError({ env: { TIDEMARK_STATE__CLEAR_ON_SUCCESS: 'yes' } });
    expect(error.message).toMatch(
      /^setting "state\.clear_on_success" \(from environment variable TIDEMARK_STATE__CLEAR_ON_SUCCESS\) is invalid: /,
    );
  });

  it('refuses a malformed duration, quoting it', () => {
    const error = configError({ env: { TIDEMARK_STATE__GC_INTERVAL: '30x' } });
    expect(error.message).toBe(
      'setting "state.gc_interval" (from environment variable TIDEMARK_STATE__GC_INTERVAL) is invalid: ' +
        'expected a duration such as "30d", "1h", "2s" or "0", got "30x"',
    );
  });

  it('refuses a negative duration', () => {
    writeConfigFile({ scheduler: { task_heartbeat_timeout: '-5s' } });
    expect(configError({}).message).toContain(
      `setting "scheduler.task_heartbeat_timeout" (from ${CONFIG_FILE_NAME}) is invalid: expected a duration`,
    );
  });

  it('refuses a logging level outside the list', () => {
    const error = configError({ overrides: { logging: { level: 'loud' } } });
    expect(error.message).toContain('setting "logging.level" (from the command line) is invalid:');
    expect(error.message).toContain('"debug"');
  });

  it('refuses an empty database URL', () => {
    writeConfigFile({ database: { url: '' } });
    expect(configError({}).message).toContain(`setting "database.url" (from ${CONFIG_FILE_NAME}) is invalid`);
  });

  it('refuses a config file that is not valid JSON, naming the file', () => {
    const path = writeConfigFile('{"state": {"history_depth": 20,}');
    const error = configError({});
    expect(error.message).toContain(`${path} is not valid JSON: `);
  });

  it('refuses a config file that holds JSON other than an object', () => {
    const path = writeConfigFile([{ state: {} }]);
    expect(configError({}).message).toBe(
      `${path} must hold a JSON object of sections, such as {"state": {"history_depth": 20}}`,
    );
  });

  it('refuses a section that is not an object', () => {
    writeConfigFile({ state: 5 });
    expect(configError({}).message).toMatch(new RegExp(`^setting "state" \\(from ${CONFIG_FILE_NAME}\\) is invalid: `));
  });

  it('blames the command line when a bad flag overrides a good environment variable', () => {
    const error = configError({
      env: { TIDEMARK_STATE__HISTORY_DEPTH: '5' },
      overrides: { state: { history_depth: -1 } },
    });
    expect(error.message).toBe(
      'setting "state.history_depth" (from the command line) is invalid: expected a whole number ≥ 0',
    );
  });

  it('blames the command line when a bad flag overrides a good config file value', () => {
    writeConfigFile({ api: { port: 8081 } });
    const error = configError({ overrides: { api: { port: 'eighty' } } });
    expect(error.message).toMatch(/^setting "api\.port" \(from the command line\) is invalid: /);
  });

  it('blames the environment variable when it overrides a good config file value', () => {
    writeConfigFile({ api: { port: 8081 } });
    const error = configError({ env: { TIDEMARK_API__PORT: '-80' } });
    expect(error.message).toBe(
      'setting "api.port" (from environment variable TIDEMARK_API__PORT) is invalid: expected a whole number ≥ 0',
    );
  });
});
