import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load-config.ts';
import { parseConf } from './api-command.ts';
import { defaultApiUrl, normalizeApiUrl, resolveConnection, resolveToken } from './api-connection.ts';
import { readCredentials, saveCredentials } from './credentials.ts';

describe('the API connection', () => {
  let home: string;
  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'tidemark-connection-'));
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  it('takes --api-url, then TIDEMARK_API_URL, then api.host and api.port', () => {
    const env = { TIDEMARK_HOME: home, TIDEMARK_API__PORT: '9001' };
    expect(resolveConnection('http://example.test:1/', env)).toEqual({ apiUrl: 'http://example.test:1', home });
    expect(resolveConnection(undefined, { ...env, TIDEMARK_API_URL: 'https://tm.example.test/base/' }).apiUrl).toBe(
      'https://tm.example.test/base',
    );
    expect(resolveConnection(undefined, env).apiUrl).toBe('http://127.0.0.1:9001');
  });

  it('goes to the server of the saved login when neither --api-url nor TIDEMARK_API_URL says otherwise', () => {
    const env = { TIDEMARK_HOME: home };
    saveCredentials(home, {
      api_url: 'http://tm.example.test:9000',
      token: 't',
      expires_at: '2099-01-01T00:00:00Z',
      username: 'alice',
    });
    expect(resolveConnection(undefined, env).apiUrl).toBe('http://tm.example.test:9000');
    expect(resolveConnection('http://other.test:1', env).apiUrl).toBe('http://other.test:1');
    expect(resolveConnection(undefined, { ...env, TIDEMARK_API_URL: 'http://env.test:2' }).apiUrl).toBe(
      'http://env.test:2',
    );
    expect(resolveConnection(undefined, { ...env, TIDEMARK_API_TOKEN: 'x' }).apiUrl).toBe('http://127.0.0.1:8080');
  });

  it('reaches a wildcard listen address on loopback', () => {
    const urlFor = (host: string) =>
      defaultApiUrl(loadConfig({ env: { TIDEMARK_HOME: home, TIDEMARK_API__HOST: host } }));
    expect(urlFor('0.0.0.0')).toBe('http://127.0.0.1:8080');
    expect(urlFor('::')).toBe('http://[::1]:8080');
    expect(urlFor('tm.internal')).toBe('http://tm.internal:8080');
  });

  it('rejects a URL that is not one, in words', () => {
    expect(() => normalizeApiUrl('localhost:8080')).toThrow(/must start with http:\/\/ or https:\/\//);
    expect(() => normalizeApiUrl('not a url')).toThrow(/is not a URL/);
  });

  it('prefers TIDEMARK_API_TOKEN, else the saved login for the same server while it lasts', () => {
    const connection = { apiUrl: 'http://127.0.0.1:8080', home };
    expect(() => resolveToken(connection, {})).toThrow(
      'not logged in to http://127.0.0.1:8080; run "tidemark login" or set TIDEMARK_API_TOKEN',
    );
    const path = saveCredentials(home, {
      api_url: 'http://127.0.0.1:8080/',
      token: 'saved-token',
      expires_at: '2030-01-01T00:00:00.000Z',
      username: 'ann',
    });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readCredentials(home)?.username).toBe('ann');
    expect(resolveToken(connection, {}, Date.parse('2029-12-31T00:00:00Z'))).toBe('saved-token');
    expect(resolveToken(connection, { TIDEMARK_API_TOKEN: 'env-token' })).toBe('env-token');
    expect(() => resolveToken(connection, {}, Date.parse('2030-01-02T00:00:00Z'))).toThrow(
      /^the login of "ann" to http:\/\/127\.0\.0\.1:8080 expired at 2030-01-01T00:00:00\.000Z; run "tidemark login"/,
    );
    expect(() => resolveToken({ ...connection, apiUrl: 'http://other:8080' }, {})).toThrow(
      'not logged in to http://other:8080 (the saved login is for http://127.0.0.1:8080/)',
    );
  });
});

describe('--conf', () => {
  it('takes a JSON object and names what is wrong with anything else', () => {
    expect(parseConf('{"items": 3}')).toEqual({ conf: { items: 3 } });
    expect(parseConf('{items: 3}')).toEqual({ problem: expect.stringMatching(/^--conf is not valid JSON: /) });
    expect(parseConf('[1]')).toEqual({ problem: expect.stringMatching(/not an array$/) });
    expect(parseConf('null')).toEqual({ problem: expect.stringMatching(/not null$/) });
    expect(parseConf('"text"')).toEqual({ problem: expect.stringMatching(/not a string$/) });
  });
});
