import { describe, expect, it } from 'vitest';
import { createProgressBar, progressLine } from './progress-bar.ts';

describe('progress bar', () => {
  it('draws a bar with a percentage and counts, or only the count without a total', () => {
    expect(progressLine(370_000, 1_000_000, 'rows removed')).toBe(
      '[###########-------------------]  37%  370,000/1,000,000 rows removed',
    );
    expect(progressLine(0, 10, 'rows removed')).toBe(`[${'-'.repeat(30)}]   0%  0/10 rows removed`);
    expect(progressLine(12, 10, 'rows removed')).toBe(`[${'#'.repeat(30)}] 100%  12/10 rows removed`);
    expect(progressLine(4_200, undefined, 'rows removed')).toBe('4,200 rows removed');
  });

  it('redraws in place at most every redrawMs (and at the end), and clears itself', () => {
    let written = '';
    let now = 0;
    const bar = createProgressBar(
      { write: (text: string) => (written += text) },
      {
        total: 4,
        label: 'rows',
        redrawMs: 100,
        clock: () => now,
      },
    );
    bar.update(1);
    bar.update(2); // within 100 ms: skipped
    now = 150;
    bar.update(3);
    bar.update(4); // the total: always drawn
    const frames = written.split('\r\x1b[K').filter(Boolean);
    expect(frames.map((frame) => frame.slice(-9))).toEqual(
      ['1/4 rows', '3/4 rows', '4/4 rows'].map((s) => s.padStart(9)),
    );
    bar.clear();
    bar.update(4);
    bar.finish();
    expect(written.endsWith('\r\x1b[K')).toBe(true);
    expect(written.split('\r\x1b[K').filter(Boolean)).toHaveLength(4);
  });
});
