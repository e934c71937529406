import {
  generatePassword,
  hashPassword,
  isUserRole,
  TidemarkError,
  USER_ROLES,
  UserNotFoundError,
  type UserRole,
} from '@tidemark/core';
import type { MetadataDatabase } from '../open-database.ts';
import { createUser, deleteUser, setUserPassword } from '../repositories/user-repository.ts';

/**
 * Managing people's accounts (`tidemark users …`, the admin bootstrap): the rules on names, roles
 * and passwords, over the small functions of the user repository.
 */

const MAX_USERNAME_LENGTH = 128;

/** The password an account got: the one given, or a generated one the caller must show once. */
export interface AccountPassword {
  readonly password: string;
  readonly generated: boolean;
}

/** A role name from outside (a flag, a request); throws a one-line error naming the roles otherwise. */
export function parseUserRole(value: unknown): UserRole {
  if (isUserRole(value)) return value;
  const shown = typeof value === 'string' ? `"${value}"` : String(value);
  throw new TidemarkError('validation_error', `role ${shown} is not one of ${USER_ROLES.join(', ')}`);
}

export function validateUsername(username: string): void {
  if (username.length === 0 || username.length > MAX_USERNAME_LENGTH || !/^[^\s\p{C}]+$/u.test(username)) {
    throw new TidemarkError(
      'validation_error',
      `username "${username}" is not valid: use 1 to ${MAX_USERNAME_LENGTH} characters without spaces or control characters`,
    );
  }
}

/** Creates a user; without `password`, generates one. Throws `user_exists`, `weak_password`, `validation_error`. */
export async function createUserAccount(
  database: MetadataDatabase,
  account: { username: string; role: string; password?: string },
  now = Date.now(),
): Promise<AccountPassword> {
  validateUsername(account.username);
  const role = parseUserRole(account.role);
  const chosen = choosePassword(account.password);
  const passwordHash = await hashPassword(chosen.password);
  await createUser(database.db, { username: account.username, passwordHash, role }, now);
  return chosen;
}

/** Sets a new password (generated without `password`). Throws `user_not_found`, `weak_password`. */
export async function resetUserPassword(
  database: MetadataDatabase,
  username: string,
  password?: string,
  now = Date.now(),
): Promise<AccountPassword> {
  const chosen = choosePassword(password);
  const passwordHash = await hashPassword(chosen.password);
  if (!(await setUserPassword(database.db, username, passwordHash, now))) throw new UserNotFoundError(username);
  return chosen;
}

/** Deletes a user. Throws `user_not_found`. Tokens already issued stay valid until they expire. */
export async function deleteUserAccount(database: MetadataDatabase, username: string): Promise<void> {
  if (!(await deleteUser(database.db, username))) throw new UserNotFoundError(username);
}

function choosePassword(password: string | undefined): AccountPassword {
  return password === undefined ? { password: generatePassword(), generated: true } : { password, generated: false };
}
