import { describe, expect, it } from 'vitest';
import { generatePassword, hashPassword, verifyPassword } from './password-hash.ts';
import { roleAllows } from './user-roles.ts';

describe('password hashing', () => {
  it('verifies the right password and refuses a wrong one, with a fresh salt per hash', async () => {
    const hash = await hashPassword('correct horse');
    expect(hash).toMatch(/^scrypt\$32768\$8\$1\$[\w-]+\$[\w-]+$/);
    expect(await verifyPassword('correct horse', hash)).toBe(true);
    expect(await verifyPassword('correct horsE', hash)).toBe(false);
    expect(await hashPassword('correct horse')).not.toBe(hash);
  });

  it('refuses a short password with the rule in the message', async () => {
    await expect(hashPassword('short')).rejects.toMatchObject({
      code: 'weak_password',
      message: 'a password needs at least 8 characters',
    });
  });

  it('refuses a malformed stored hash instead of throwing', async () => {
    expect(await verifyPassword('anything', 'plaintext')).toBe(false);
    expect(await verifyPassword('anything', 'scrypt$3$8$1$AAAA$AAAA')).toBe(false);
  });

  it('generates 24-character passwords that differ', () => {
    expect(generatePassword()).toMatch(/^[\w-]{24}$/);
    expect(generatePassword()).not.toBe(generatePassword());
  });
});

describe('roles', () => {
  it('orders viewer < op < admin', () => {
    expect(roleAllows('admin', 'op')).toBe(true);
    expect(roleAllows('op', 'op')).toBe(true);
    expect(roleAllows('viewer', 'op')).toBe(false);
    expect(roleAllows('op', 'admin')).toBe(false);
  });
});
