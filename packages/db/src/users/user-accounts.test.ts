import { verifyPassword } from '@tidemark/core';
import { describe, expect, it } from 'vitest';
import { findUser, listUsers } from '../repositories/user-repository.ts';
import { eachDialect } from '../testing/describe-each-dialect.ts';
import { useTestDatabase } from '../testing/use-test-database.ts';
import {
  createUserAccount,
  deleteUserAccount,
  parseUserRole,
  resetUserPassword,
  validateUsername,
} from './user-accounts.ts';

describe('user account rules', () => {
  it('accepts the three roles and names them when refusing another', () => {
    expect(parseUserRole('op')).toBe('op');
    expect(() => parseUserRole('root')).toThrow('role "root" is not one of viewer, op, admin');
    expect(() => parseUserRole(undefined)).toThrow('role undefined is not one of viewer, op, admin');
  });

  it('refuses empty names and names with spaces or control characters', () => {
    expect(() => validateUsername('jane.doe@example.com')).not.toThrow();
    for (const bad of ['', 'jane doe', 'tab\there', 'x'.repeat(129)]) {
      expect(() => validateUsername(bad)).toThrow(/^username ".*" is not valid: use 1 to 128 characters/s);
    }
  });
});

describe.each(eachDialect())('user accounts on %s', (dialect) => {
  const test = useTestDatabase(dialect);

  it('creates a user with a given or a generated password, and refuses a duplicate', async () => {
    expect(await createUserAccount(test.database, { username: 'ann', role: 'op', password: 'ann-password' })).toEqual({
      password: 'ann-password',
      generated: false,
    });
    const bob = await createUserAccount(test.database, { username: 'bob', role: 'viewer' });
    expect(bob).toEqual({ password: expect.stringMatching(/^[\w-]{24}$/), generated: true });
    expect(await verifyPassword(bob.password, (await findUser(test.database.db, 'bob'))?.passwordHash as string)).toBe(
      true,
    );
    await expect(createUserAccount(test.database, { username: 'ann', role: 'admin' })).rejects.toMatchObject({
      code: 'user_exists',
    });
    expect((await listUsers(test.database.db)).map((user) => [user.username, user.role])).toEqual([
      ['ann', 'op'],
      ['bob', 'viewer'],
    ]);
  });

  it('refuses a bad role and a weak password before writing anything', async () => {
    await expect(createUserAccount(test.database, { username: 'ann', role: 'root' })).rejects.toMatchObject({
      code: 'validation_error',
    });
    await expect(
      createUserAccount(test.database, { username: 'ann', role: 'op', password: 'short' }),
    ).rejects.toMatchObject({ code: 'weak_password', message: 'a password needs at least 8 characters' });
    expect(await listUsers(test.database.db)).toEqual([]);
  });

  it('resets a password and deletes a user, and says when the user does not exist', async () => {
    await createUserAccount(test.database, { username: 'ann', role: 'op', password: 'first-password' });
    const reset = await resetUserPassword(test.database, 'ann');
    const stored = (await findUser(test.database.db, 'ann'))?.passwordHash as string;
    expect(await verifyPassword(reset.password, stored)).toBe(true);
    expect(await verifyPassword('first-password', stored)).toBe(false);

    await deleteUserAccount(test.database, 'ann');
    expect(await findUser(test.database.db, 'ann')).toBeUndefined();
    await expect(deleteUserAccount(test.database, 'ann')).rejects.toMatchObject({
      code: 'user_not_found',
      message: 'user "ann" does not exist',
    });
    await expect(resetUserPassword(test.database, 'ann', 'another-password')).rejects.toMatchObject({
      code: 'user_not_found',
    });
  });
});
