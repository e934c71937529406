import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto';
import { TidemarkError } from '../errors.ts';

// scrypt with N = 2^15, r = 8: ~50 ms and 32 MiB per hash, so a stolen table is slow to attack.
const PARAMETERS = { N: 32_768, r: 8, p: 1, maxmem: 64 * 1_048_576 } as const;
const KEY_BYTES = 32;
export const MIN_PASSWORD_LENGTH = 8;

/** `scrypt$N$r$p$salt$hash`, base64url: the parameters travel with the hash so they can change later. */
export async function hashPassword(password: string): Promise<string> {
  validatePassword(password);
  const salt = randomBytes(16);
  const hash = await derive(password, salt, PARAMETERS);
  return [
    'scrypt',
    PARAMETERS.N,
    PARAMETERS.r,
    PARAMETERS.p,
    salt.toString('base64url'),
    hash.toString('base64url'),
  ].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  try {
    const actual = await derive(password, Buffer.from(salt, 'base64url'), {
      N: Number(n),
      r: Number(r),
      p: Number(p),
      maxmem: PARAMETERS.maxmem,
    });
    return actual.length === expected.length && timingSafeEqual(actual, expected);
  } catch {
    return false; // a corrupted stored hash (bad parameters) verifies nothing
  }
}

export function validatePassword(password: string): void {
  if (typeof password !== 'string' || [...password].length < MIN_PASSWORD_LENGTH) {
    throw new TidemarkError('weak_password', `a password needs at least ${MIN_PASSWORD_LENGTH} characters`);
  }
}

/** A password for a generated account: 24 characters of base64url (144 bits). */
export function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}

function derive(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFC'), salt, KEY_BYTES, options, (error, key) => (error ? reject(error) : resolve(key))),
  );
}
