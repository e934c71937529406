import { join } from 'node:path';
import type { z } from 'zod';
import { ConfigError } from '../errors.ts';
import { configSchema, type TidemarkConfig } from './config-schema.ts';

export const CONFIG_FILE_NAME = 'tidemark.config.json';
const ENV_PREFIX = 'TIDEMARK_';

/** Settings as `{section: {key: value}}`, one layer per source. */
export type ConfigLayer = Record<string, Record<string, unknown>>;
type Layer = ConfigLayer;

export interface ConfigSources {
  /** The home folder, already resolved to an absolute path. */
  readonly home: string;
  /** `tidemark.config.json`'s content (see `parseConfigFile`), if there is one. */
  readonly file?: Layer;
  /** `TIDEMARK_<SECTION>__<KEY>` variables are read from it; others are ignored. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Command-line flags; they win over everything. */
  readonly overrides?: Layer;
}

/**
 * SPEC §14: flag > environment `TIDEMARK_<SECTION>__<KEY>` > `tidemark.config.json` in the home
 * folder > default. Unknown keys and bad values throw a ConfigError naming the key and where it came
 * from. Pure: the caller reads the file and the environment (the CLI's `loadConfig`).
 */
export function resolveConfig(sources: ConfigSources): TidemarkConfig {
  const fileLayer = sources.file ?? {};
  const envLayer = readEnvironment(sources.env ?? {});
  const overrideLayer = sources.overrides ?? {};
  const merged = mergeLayers(fileLayer, envLayer, overrideLayer);

  const result = configSchema.safeParse(merged);
  if (!result.success) {
    throw new ConfigError(
      describeIssue(result.error.issues[0] as z.core.$ZodIssue, fileLayer, envLayer, overrideLayer),
    );
  }
  const parsed = result.data;
  const home = sources.home;
  return {
    ...parsed,
    home,
    database: { ...parsed.database, url: parsed.database.url ?? `sqlite:${join(home, 'tidemark.db')}` },
  };
}

/** The layer a config file's text gives; `path` only names the file in errors. */
export function parseConfigFile(path: string, text: string): Layer {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${path} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new ConfigError(`${path} must hold a JSON object of sections, such as {"state": {"history_depth": 20}}`);
  }
  return data as Layer;
}

function readEnvironment(env: Readonly<Record<string, string | undefined>>): Layer {
  const layer: Layer = {};
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(ENV_PREFIX) || value === undefined) continue;
    const rest = name.slice(ENV_PREFIX.length);
    const separator = rest.indexOf('__');
    if (separator < 0) continue; // TIDEMARK_HOME and friends are not settings
    const section = rest.slice(0, separator).toLowerCase();
    const key = rest.slice(separator + 2).toLowerCase();
    layer[section] ??= {};
    (layer[section] as Record<string, unknown>)[key] = value;
  }
  return layer;
}

function mergeLayers(...layers: Layer[]): Layer {
  const merged: Layer = {};
  for (const layer of layers) {
    for (const [section, values] of Object.entries(layer)) {
      if (typeof values !== 'object' || values === null || Array.isArray(values)) {
        merged[section] = values;
        continue;
      }
      merged[section] = { ...(merged[section] ?? {}), ...values };
    }
  }
  return merged;
}

function describeIssue(issue: z.core.$ZodIssue, fileLayer: Layer, envLayer: Layer, overrideLayer: Layer): string {
  const [section, key] = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') {
    const unknown = issue.keys[0] as string;
    const setting = key === undefined && section === undefined ? unknown : `${section}.${unknown}`;
    return `unknown setting "${setting}" (${sourceOf(section ?? unknown, section ? unknown : undefined, fileLayer, envLayer, overrideLayer)}); see the configuration section of the README for valid settings`;
  }
  const setting = key === undefined ? section : `${section}.${key}`;
  return `setting "${setting}" (${sourceOf(section, key, fileLayer, envLayer, overrideLayer)}) is invalid: ${issue.message}`;
}

function sourceOf(
  section: string | undefined,
  key: string | undefined,
  fileLayer: Layer,
  envLayer: Layer,
  overrideLayer: Layer,
): string {
  // Check the layers from highest precedence down: the value that failed is the one that won the merge.
  if (section && (key ? overrideLayer[section]?.[key] !== undefined : overrideLayer[section] !== undefined)) {
    return 'from the command line';
  }
  if (section && key && envLayer[section]?.[key] !== undefined) {
    return `from environment variable ${ENV_PREFIX}${section.toUpperCase()}__${key.toUpperCase()}`;
  }
  if (section && (key ? fileLayer[section]?.[key] !== undefined : fileLayer[section] !== undefined)) {
    return `from ${CONFIG_FILE_NAME}`;
  }
  if (section && !key && envLayer[section] !== undefined) {
    return `from a ${ENV_PREFIX}${section.toUpperCase()}__* environment variable`;
  }
  return 'from the command line';
}
