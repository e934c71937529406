import { describe, expect, it } from 'vitest';
import { canOperate, sessionOf } from './session.ts';

const NOW = Date.parse('2026-11-24T00:00:00Z');

/** A token shaped like the api-server's (the UI never checks the signature; the server does). */
function token(claims: Record<string, unknown>): string {
  const encode = (value: unknown) => {
    const bytes = new TextEncoder().encode(JSON.stringify(value));
    return btoa(String.fromCharCode(...bytes))
      .replaceAll('+', '-')
      .replaceAll('/', '_')
      .replaceAll('=', '');
  };
  return `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode(claims)}.signature`;
}

describe('sessionOf', () => {
  it('reads the username, role and expiry from the token, non-ASCII names included', () => {
    const exp = NOW / 1000 + 3600;
    expect(sessionOf(token({ sub: 'zoë', kind: 'user', role: 'op', exp }), NOW)).toMatchObject({
      username: 'zoë',
      role: 'op',
      expiresAt: exp * 1000,
    });
  });

  it('refuses an expired, malformed or role-less token', () => {
    expect(sessionOf(token({ sub: 'a', role: 'op', exp: NOW / 1000 - 1 }), NOW)).toBeNull();
    expect(sessionOf(token({ sub: 'a', role: 'root', exp: NOW / 1000 + 60 }), NOW)).toBeNull();
    expect(sessionOf('not-a-token', NOW)).toBeNull();
    expect(sessionOf('a.!!!.c', NOW)).toBeNull();
  });

  it('lets op and admin edit, not viewer', () => {
    const as = (role: string) => sessionOf(token({ sub: 'a', role, exp: NOW / 1000 + 60 }), NOW);
    expect([canOperate(as('viewer')), canOperate(as('op')), canOperate(as('admin')), canOperate(null)]).toEqual([
      false,
      true,
      true,
      false,
    ]);
  });
});
