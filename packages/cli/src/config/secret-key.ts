import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const SECRET_KEY_FILE = 'secret-key';
/** Signs people's session tokens; only api-servers hold it (workers and task code never do). */
export const SESSION_KEY_FILE = 'session-key';

/**
 * The key that signs execution tokens: `api.secret_key`, else `<home>/secret-key`, generated on
 * first use (mode 0600). Every process of one installation (api-server, scheduler, workers on the
 * same host) reads the same file; workers elsewhere get TIDEMARK_API__SECRET_KEY.
 */
export function resolveSecretKey(configured: string | undefined, home: string, file = SECRET_KEY_FILE): string {
  if (configured) return configured;
  const path = join(home, file);
  if (!existsSync(path)) {
    mkdirSync(home, { recursive: true });
    try {
      writeFileSync(path, randomBytes(32).toString('base64url'), { mode: 0o600, flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error; // another process won the race
    }
  }
  return readFileSync(path, 'utf8').trim();
}
