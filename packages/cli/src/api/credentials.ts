import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TidemarkError } from '@tidemark/core';

export const CREDENTIALS_FILE_NAME = 'credentials.json';

/** What `tidemark login` saves in `<home>/credentials.json` (mode 0600): one login, for one api-server. */
export interface SavedCredentials {
  readonly api_url: string;
  readonly token: string;
  /** ISO-8601, as POST /auth/token answered. */
  readonly expires_at: string;
  readonly username: string;
}

export function credentialsPath(home: string): string {
  return join(home, CREDENTIALS_FILE_NAME);
}

export function readCredentials(home: string): SavedCredentials | undefined {
  const path = credentialsPath(home);
  if (!existsSync(path)) return undefined;
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new TidemarkError(
      'invalid_credentials_file',
      `${path} is not valid JSON (${(error as Error).message}); delete it and run "tidemark login"`,
    );
  }
  const saved = data as Partial<SavedCredentials> | null;
  if (
    typeof saved !== 'object' ||
    saved === null ||
    typeof saved.api_url !== 'string' ||
    typeof saved.token !== 'string' ||
    typeof saved.expires_at !== 'string' ||
    typeof saved.username !== 'string'
  ) {
    throw new TidemarkError(
      'invalid_credentials_file',
      `${path} does not hold {api_url, token, expires_at, username}; delete it and run "tidemark login"`,
    );
  }
  return saved as SavedCredentials;
}

/** Writes the file readable by its owner only (through a temporary file, so a crash leaves the old one). */
export function saveCredentials(home: string, credentials: SavedCredentials): string {
  const path = credentialsPath(home);
  mkdirSync(home, { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  chmodSync(temporary, 0o600); // the umask may have taken bits away, never added: this is belt and braces
  renameSync(temporary, path);
  return path;
}
