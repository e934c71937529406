import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isTidemarkError } from '@tidemark/core';
import type { MetadataDatabase } from '../open-database.ts';
import { createUserAccount } from './user-accounts.ts';

export const ADMIN_USERNAME = 'admin';
export const ADMIN_PASSWORD_FILE = 'admin-password';

export interface EnsureAdminUserOptions {
  /** The home folder; a generated password is written to `<home>/admin-password`. */
  readonly home: string;
  /** `api.admin_password`: used instead of a generated password. */
  readonly configuredPassword?: string | undefined;
  readonly now?: number;
}

export interface EnsureAdminUserResult {
  /** Whether this call created user `admin`. */
  readonly created: boolean;
  /** The generated password, to show once (absent when nothing was created or the password was configured). */
  readonly password?: string;
  /** Where the generated password was written. */
  readonly passwordFile?: string;
}

/**
 * First start of a fresh installation: when the `user` table is empty, creates user `admin` (role
 * `admin`) so that someone can sign in. Its password is `api.admin_password` when set (neither
 * written nor returned: the operator knows it), else generated, written to `<home>/admin-password`
 * (mode 0600) and returned for the caller to print once. When any user exists it does nothing, so
 * a changed or deleted admin is never recreated or overwritten. Two processes racing here create
 * one user: the unique username makes the loser see `user_exists`, which counts as "already there".
 */
export async function ensureAdminUser(
  database: MetadataDatabase,
  options: EnsureAdminUserOptions,
): Promise<EnsureAdminUserResult> {
  const existing = await database.db
    .selectFrom('user')
    .select((eb) => eb.fn.countAll<number | string | bigint>().as('count'))
    .executeTakeFirstOrThrow();
  if (Number(existing.count) > 0) return { created: false };

  let generated: boolean;
  let password: string;
  try {
    ({ generated, password } = await createUserAccount(
      database,
      { username: ADMIN_USERNAME, role: 'admin', password: options.configuredPassword || undefined },
      options.now,
    ));
  } catch (error) {
    if (isTidemarkError(error) && error.code === 'user_exists') return { created: false };
    throw error;
  }
  if (!generated) return { created: true };
  const passwordFile = writePasswordFile(options.home, password);
  return { created: true, password, passwordFile };
}

/** Writes the file afresh with mode 0600 (an old file is removed first, so its mode cannot leak). */
function writePasswordFile(home: string, password: string): string {
  mkdirSync(home, { recursive: true });
  const path = join(home, ADMIN_PASSWORD_FILE);
  rmSync(path, { force: true });
  writeFileSync(path, `${password}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(path, 0o600); // a strict umask (e.g. 0277) may have taken the owner's write bit too
  return path;
}
