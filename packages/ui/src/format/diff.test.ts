import { describe, expect, it } from 'vitest';
import { diffLines } from './diff.ts';

describe('diffLines', () => {
  it('keeps common lines and marks the removed and added ones in order', () => {
    expect(diffLines('a\nb\nc', 'a\nx\nc\nd')).toEqual([
      { kind: 'same', text: 'a' },
      { kind: 'removed', text: 'b' },
      { kind: 'added', text: 'x' },
      { kind: 'same', text: 'c' },
      { kind: 'added', text: 'd' },
    ]);
  });

  it('shows an unchanged text as all the same, and one from nothing as all added', () => {
    expect(diffLines('{\n  "a": 1\n}', '{\n  "a": 1\n}').every((line) => line.kind === 'same')).toBe(true);
    expect(diffLines('', '1')).toEqual([
      { kind: 'removed', text: '' },
      { kind: 'added', text: '1' },
    ]);
  });
});
