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
    // Nothing before: no spurious removed empty line (the hand-written diff had one).
    expect(diffLines('', '1')).toEqual([{ kind: 'added', text: '1' }]);
    expect(diffLines('"a"', '')).toEqual([{ kind: 'removed', text: '"a"' }]);
  });

  it('diffs texts of thousands of lines line by line', () => {
    const before = Array.from({ length: 5_000 }, (_, index) => `line ${index}`).join('\n');
    const after = before.replace('line 2500', 'line 2500 changed');
    const changed = diffLines(before, after).filter((line) => line.kind !== 'same');
    expect(changed).toEqual([
      { kind: 'removed', text: 'line 2500' },
      { kind: 'added', text: 'line 2500 changed' },
    ]);
  });
});
