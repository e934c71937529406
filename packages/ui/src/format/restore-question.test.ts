import { describe, expect, it } from 'vitest';
import { movesBackwards, restoreQuestion } from './restore-question.ts';

describe('the question before a restore', () => {
  it('tells when a number or a string (an ISO time too) would move backwards', () => {
    expect(movesBackwards(10, 3)).toBe(true);
    expect(movesBackwards(3, 10)).toBe(false);
    expect(movesBackwards('2026-11-24T10:00:00Z', '2026-11-24T09:00:00Z')).toBe(true);
    expect(movesBackwards('b.csv', 'c.csv')).toBe(false);
    expect(movesBackwards({ done: 5 }, { done: 1 })).toBe(false);
    expect(movesBackwards(5, '1')).toBe(false);
  });

  it('asks plainly, and warns about reprocessing when the value goes back', () => {
    expect(restoreQuestion('items', 2, { done: 1 }, { done: 5 })).toBe(
      'Restore version 2 of "items"? It is written as a new version.',
    );
    const warning = restoreQuestion('loaded_until', 1, 'a.csv', 'z.csv');
    expect(warning).toContain('moves "loaded_until" backwards, from "z.csv" to "a.csv"');
    expect(warning).toContain('process again everything after "a.csv"');
    expect(restoreQuestion('gone', 1, 1, undefined)).not.toContain('backwards');
  });
});
