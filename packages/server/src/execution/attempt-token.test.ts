import { signJwt } from '@tidemark/core';
import { describe, expect, it } from 'vitest';
import { issueAttemptToken, issueTriggererToken, issueWorkerToken, verifyExecutionToken } from './attempt-token.ts';

const KEY = 'unit-test-secret-unit-test-secret-0123456789';
const NOW = Date.UTC(2026, 0, 1, 12);

function claimsOf(token: string): unknown {
  return JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString('utf8'));
}

describe('execution tokens', () => {
  it('an attempt token carries exactly {sub, kind, try, iat, exp} and expires after the ttl', () => {
    const { token, expiresAt } = issueAttemptToken(KEY, { tiId: 'ti-1', tryNumber: 3 }, 600_000, NOW);
    expect(claimsOf(token)).toEqual({ sub: 'ti-1', kind: 'attempt', try: 3, iat: NOW / 1000, exp: NOW / 1000 + 600 });
    expect(expiresAt).toBe(NOW + 600_000);
    expect(verifyExecutionToken(token, KEY, NOW + 599_999)).toMatchObject({ sub: 'ti-1', try: 3 });
    expect(() => verifyExecutionToken(token, KEY, NOW + 600_000)).toThrow(/invalid token: expired/);
  });

  it('rounds expiry up so a token lives at least its ttl', () => {
    const { expiresAt } = issueAttemptToken(KEY, { tiId: 't', tryNumber: 1 }, 1_500, NOW + 200);
    expect(expiresAt).toBe(NOW + 2_000);
  });

  it('a worker token carries exactly {sub: "worker", kind: "worker", iat, exp}', () => {
    const token = issueWorkerToken(KEY, 60_000, NOW);
    expect(claimsOf(token)).toEqual({ sub: 'worker', kind: 'worker', iat: NOW / 1000, exp: NOW / 1000 + 60 });
    expect(verifyExecutionToken(token, KEY, NOW)).toMatchObject({ kind: 'worker' });
  });

  it('a triggerer token carries exactly {sub: <triggerer id>, kind: "triggerer", iat, exp}; its id is checked', () => {
    const token = issueTriggererToken(KEY, 'host-1.example:4242', 60_000, NOW);
    expect(claimsOf(token)).toEqual({
      sub: 'host-1.example:4242',
      kind: 'triggerer',
      iat: NOW / 1000,
      exp: NOW / 1000 + 60,
    });
    expect(verifyExecutionToken(token, KEY, NOW)).toMatchObject({ kind: 'triggerer', sub: 'host-1.example:4242' });
    for (const sub of ['', 'a b', 'x'.repeat(201), 'ü', 'a/b']) {
      expect(() => verifyExecutionToken(issueTriggererToken(KEY, sub, 60_000, NOW), KEY, NOW)).toThrow(
        /triggerer token needs a "sub"/,
      );
    }
    expect(verifyExecutionToken(issueTriggererToken(KEY, 'x'.repeat(200), 60_000, NOW), KEY, NOW).sub).toHaveLength(
      200,
    );
  });

  it('refuses tokens signed with another key, and JWTs that are not execution tokens', () => {
    const forged = issueWorkerToken('some-other-secret-some-other-secret-0123', 60_000, NOW);
    expect(() => verifyExecutionToken(forged, KEY, NOW)).toThrow(/bad signature/);
    const exp = NOW / 1000 + 60;
    expect(() => verifyExecutionToken(signJwt({ sub: 'x', exp }, KEY), KEY, NOW)).toThrow(/not an execution token/);
    expect(() => verifyExecutionToken(signJwt({ sub: 'ti', kind: 'attempt', exp }, KEY), KEY, NOW)).toThrow(
      /positive integer "try"/,
    );
    expect(() => verifyExecutionToken(signJwt({ sub: 'ti', kind: 'worker', exp }, KEY), KEY, NOW)).toThrow(
      /not an execution token/,
    );
  });
});
