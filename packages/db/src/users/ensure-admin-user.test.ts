import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashPassword, verifyPassword } from '@tidemark/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type MetadataDatabase, openDatabase } from '../open-database.ts';
import { createUser, findUser, listUsers } from '../repositories/user-repository.ts';
import { eachDialect, openTestDatabaseFor } from '../testing/describe-each-dialect.ts';
import type { TestDatabase } from '../testing/test-database.ts';
import { ADMIN_PASSWORD_FILE, ensureAdminUser } from './ensure-admin-user.ts';

describe.each(eachDialect())('ensureAdminUser on %s', (dialect) => {
  let test: TestDatabase;
  let home: string;
  const extra: MetadataDatabase[] = [];
  beforeEach(async () => {
    test = await openTestDatabaseFor(dialect);
    home = join(mkdtempSync(join(tmpdir(), 'tidemark-admin-')), 'home');
  });
  afterEach(async () => {
    await Promise.all(extra.splice(0).map((database) => database.close()));
    await test.destroy();
    rmSync(join(home, '..'), { recursive: true, force: true });
  });

  const passwordFile = () => join(home, ADMIN_PASSWORD_FILE);

  it('creates admin once with a generated password, written to <home>/admin-password with mode 0600', async () => {
    const result = await ensureAdminUser(test.database, { home });

    expect(result).toEqual({
      created: true,
      password: expect.stringMatching(/^[\w-]{24}$/),
      passwordFile: passwordFile(),
    });
    const password = result.password as string;
    expect(readFileSync(passwordFile(), 'utf8')).toBe(`${password}\n`);
    expect(statSync(passwordFile()).mode & 0o777).toBe(0o600);
    const admin = await findUser(test.database.db, 'admin');
    expect(admin?.role).toBe('admin');
    expect(await verifyPassword(password, admin?.passwordHash as string)).toBe(true);

    expect(await ensureAdminUser(test.database, { home })).toEqual({ created: false });
    expect(await listUsers(test.database.db)).toHaveLength(1);
    expect(readFileSync(passwordFile(), 'utf8')).toBe(`${password}\n`);
  });

  it('replaces a stale password file (from an older database) with a fresh 0600 file', async () => {
    mkdirSync(home, { recursive: true });
    writeFileSync(passwordFile(), 'old-password\n', { mode: 0o644 });

    const { password } = await ensureAdminUser(test.database, { home });

    expect(readFileSync(passwordFile(), 'utf8')).toBe(`${password}\n`);
    expect(statSync(passwordFile()).mode & 0o777).toBe(0o600);
  });

  it('uses the configured password, and neither writes nor returns it', async () => {
    const result = await ensureAdminUser(test.database, { home, configuredPassword: 'configured-secret' });

    expect(result).toEqual({ created: true });
    const admin = await findUser(test.database.db, 'admin');
    expect(await verifyPassword('configured-secret', admin?.passwordHash as string)).toBe(true);
    expect(existsSync(passwordFile())).toBe(false);
  });

  it('never overwrites: a changed admin password stays, and any existing user means no admin is created', async () => {
    await createUser(test.database.db, {
      username: 'alice',
      passwordHash: await hashPassword('alice-pass'),
      role: 'op',
    });

    expect(await ensureAdminUser(test.database, { home, configuredPassword: 'configured-secret' })).toEqual({
      created: false,
    });
    expect((await listUsers(test.database.db)).map((user) => user.username)).toEqual(['alice']);
    expect(existsSync(passwordFile())).toBe(false);
  });

  it('creates one user when two processes race on a fresh database', async () => {
    const first = openDatabase(test.url);
    const second = openDatabase(test.url);
    extra.push(first, second);

    const results = await Promise.all([ensureAdminUser(first, { home }), ensureAdminUser(second, { home })]);

    expect(results.filter((result) => result.created)).toHaveLength(1);
    const users = await listUsers(test.database.db);
    expect(users.map((user) => [user.username, user.role])).toEqual([['admin', 'admin']]);
    const winner = results.find((result) => result.created)?.password as string;
    expect(readFileSync(passwordFile(), 'utf8')).toBe(`${winner}\n`);
    const admin = await findUser(test.database.db, 'admin');
    expect(await verifyPassword(winner, admin?.passwordHash as string)).toBe(true);
  });
});
