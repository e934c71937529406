import { describe, expect, it } from 'vitest';
import { describeOutcome } from './attempt-outcome.ts';

describe('describeOutcome', () => {
  const failed = (retryable: boolean) => ({ state: 'failed' as const, error: 'boom', retryable });

  it('says a failed try is retryable only when a try is left', () => {
    expect(describeOutcome(failed(true), { try_number: 1, max_tries: 3 })).toBe(
      'task failed (try 1 of 3, retryable): boom',
    );
    expect(describeOutcome(failed(true), { try_number: 3, max_tries: 3 })).toBe(
      'task failed (try 3 of 3, no retry left): boom',
    );
    expect(describeOutcome(failed(true), { try_number: 1, max_tries: 1 })).not.toContain('retryable');
  });

  it('says not retryable for a failure that never retries, whatever the tries left', () => {
    expect(describeOutcome(failed(false), { try_number: 1, max_tries: 3 })).toBe('task failed (not retryable): boom');
  });
});
