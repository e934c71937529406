import { type TidemarkConfig, TidemarkError } from '@tidemark/core';
import { loadConfig } from '../config/load-config.ts';
import { readCredentials } from './credentials.ts';
import { PublicApiClient } from './public-api-client.ts';

export const API_URL_ENV = 'TIDEMARK_API_URL';
export const API_TOKEN_ENV = 'TIDEMARK_API_TOKEN';

/**
 * Where the API commands go and who they are: `--api-url`, then `TIDEMARK_API_URL`, then the server of
 * the saved `tidemark login` (unless `TIDEMARK_API_TOKEN` is set), then the config.
 */
export interface ApiConnection {
  readonly apiUrl: string;
  readonly home: string;
}

export function resolveConnection(
  apiUrlOption: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): ApiConnection {
  const config = loadConfig({ env });
  const savedLogin = apiUrlOption || env[API_URL_ENV] || env[API_TOKEN_ENV] ? undefined : readCredentials(config.home);
  const raw = apiUrlOption || env[API_URL_ENV] || savedLogin?.api_url || defaultApiUrl(config);
  return { apiUrl: normalizeApiUrl(raw), home: config.home };
}

/** The api-server this machine's config describes; a wildcard listen address is reached on loopback. */
export function defaultApiUrl(config: TidemarkConfig): string {
  let host = config.api.host;
  if (host === '0.0.0.0') host = '127.0.0.1';
  if (host === '::') host = '::1';
  if (host.includes(':') && !host.startsWith('[')) host = `[${host}]`;
  return `http://${host}:${config.api.port}`;
}

export function normalizeApiUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new TidemarkError(
      'invalid_api_url',
      `the api-server URL "${raw}" is not a URL; use e.g. http://127.0.0.1:8080`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TidemarkError('invalid_api_url', `the api-server URL "${raw}" must start with http:// or https://`);
  }
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
}

/**
 * The bearer token for `apiUrl`: `TIDEMARK_API_TOKEN`, else the one `tidemark login` saved for that
 * same server and not yet expired; otherwise one line saying what to do.
 */
export function resolveToken(
  connection: ApiConnection,
  env: NodeJS.ProcessEnv = process.env,
  now: number = Date.now(),
): string {
  const fromEnv = env[API_TOKEN_ENV];
  if (fromEnv) return fromEnv;
  const todo = `run "tidemark login" or set ${API_TOKEN_ENV}`;
  const saved = readCredentials(connection.home);
  if (!saved) throw new TidemarkError('not_logged_in', `not logged in to ${connection.apiUrl}; ${todo}`);
  if (normalizeApiUrl(saved.api_url) !== connection.apiUrl) {
    throw new TidemarkError(
      'not_logged_in',
      `not logged in to ${connection.apiUrl} (the saved login is for ${saved.api_url}); ${todo}`,
    );
  }
  const expiresAt = Date.parse(saved.expires_at);
  if (Number.isFinite(expiresAt) && expiresAt <= now) {
    throw new TidemarkError(
      'not_logged_in',
      `the login of "${saved.username}" to ${connection.apiUrl} expired at ${saved.expires_at}; ${todo}`,
    );
  }
  return saved.token;
}

/** A client for the API commands: the resolved server with the resolved token. */
export function connectApi(options: { apiUrl?: string }): PublicApiClient {
  const connection = resolveConnection(options.apiUrl);
  return new PublicApiClient(connection.apiUrl, resolveToken(connection));
}
