import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@tidemark/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from './load-config.ts';

let cwd: string;
beforeEach(() => {
  cwd = mkdtempSync(join(tmpdir(), 'tidemark-config-'));
});
afterEach(() => rmSync(cwd, { recursive: true, force: true }));

const load = (env: Record<string, string>) => loadConfig({ env, cwd });
const KEY = randomBytes(32).toString('base64');
const OLD = [randomBytes(32).toString('base64'), randomBytes(32).toString('base64')];

function refusal(env: Record<string, string>): string {
  try {
    load(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
  throw new Error('expected loadConfig to refuse the settings');
}

describe('state.encryption_key and state.encryption_old_keys at start-up', () => {
  it('takes a key and a comma-separated list of old keys from the environment', () => {
    const config = load({ TIDEMARK_STATE__ENCRYPTION_KEY: KEY, TIDEMARK_STATE__ENCRYPTION_OLD_KEYS: OLD.join(', ') });
    expect(config.state.encryption_key).toBe(KEY);
    expect(config.state.encryption_old_keys).toEqual(OLD);
    expect(load({}).state.encryption_key).toBeUndefined();
  });

  it.each([
    ['too short', 'c2hvcnQ='],
    ['not base64', '!'.repeat(44)],
    ['16 bytes', randomBytes(16).toString('base64')],
    ['64 bytes', randomBytes(64).toString('base64')],
  ])('refuses a key that is %s, naming the setting and how to generate one', (_, key) => {
    expect(refusal({ TIDEMARK_STATE__ENCRYPTION_KEY: key })).toBe(
      'setting "state.encryption_key" (from environment variable TIDEMARK_STATE__ENCRYPTION_KEY) is invalid: ' +
        'expected 32 random bytes in base64 (44 characters); generate one with `openssl rand -base64 32`',
    );
  });

  it('refuses a bad old key, naming the list setting', () => {
    const message = refusal({ TIDEMARK_STATE__ENCRYPTION_OLD_KEYS: `${OLD[0]},nope` });
    expect(message).toContain('state.encryption_old_keys');
    expect(message).toContain('openssl rand -base64 32');
  });
});
