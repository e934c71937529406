import { UserExistsError, type UserRole } from '@tidemark/core';
import type { Db } from '../open-database.ts';

export interface StoredUser {
  readonly username: string;
  readonly passwordHash: string;
  readonly role: UserRole;
  readonly createdAt: number;
}

export async function createUser(
  db: Db,
  user: { username: string; passwordHash: string; role: UserRole },
  now = Date.now(),
): Promise<void> {
  const result = await db
    .insertInto('user')
    .values({
      username: user.username,
      password_hash: user.passwordHash,
      role: user.role,
      created_at: now,
      updated_at: now,
    })
    .onConflict((conflict) => conflict.column('username').doNothing())
    .executeTakeFirst();
  if (Number(result.numInsertedOrUpdatedRows ?? 0) === 0) throw new UserExistsError(user.username);
}

export async function findUser(db: Db, username: string): Promise<StoredUser | undefined> {
  const row = await db
    .selectFrom('user')
    .select(['username', 'password_hash', 'role', 'created_at'])
    .where('username', '=', username)
    .executeTakeFirst();
  return (
    row && {
      username: row.username,
      passwordHash: row.password_hash,
      role: row.role as UserRole,
      createdAt: row.created_at,
    }
  );
}

export async function listUsers(db: Db): Promise<Omit<StoredUser, 'passwordHash'>[]> {
  const rows = await db.selectFrom('user').select(['username', 'role', 'created_at']).orderBy('username').execute();
  return rows.map((row) => ({ username: row.username, role: row.role as UserRole, createdAt: row.created_at }));
}

export async function deleteUser(db: Db, username: string): Promise<boolean> {
  const result = await db.deleteFrom('user').where('username', '=', username).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export async function setUserPassword(
  db: Db,
  username: string,
  passwordHash: string,
  now = Date.now(),
): Promise<boolean> {
  const result = await db
    .updateTable('user')
    .set({ password_hash: passwordHash, updated_at: now })
    .where('username', '=', username)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
