import { describe, expect, it } from 'vitest';
import { formatFields, formatTable } from './table.ts';

describe('formatTable', () => {
  const columns = [
    { header: 'ID', value: (row: { id: string; n: number | null; note?: string }) => row.id },
    { header: 'N', value: (row: { n: number | null }) => row.n, align: 'right' as const },
    { header: 'NOTE', value: (row: { note?: string }) => row.note },
  ];

  it('aligns columns under their headers, right-aligns numbers, and leaves no trailing spaces', () => {
    const text = formatTable(columns, [
      { id: 'a', n: 5, note: 'first' },
      { id: 'longer_id', n: 120, note: '' },
      { id: 'b', n: null, note: 'two\nlines' },
    ]);
    expect(text).toBe(
      ['ID           N  NOTE', 'a            5  first', 'longer_id  120  -', 'b            -  two lines', ''].join(
        '\n',
      ),
    );
    for (const line of text.split('\n')) expect(line).toBe(line.trimEnd());
  });

  it('prints the header alone for no rows', () => {
    expect(formatTable(columns, [])).toBe('ID  N  NOTE\n');
  });
});

describe('formatFields', () => {
  it('pads the keys to one width', () => {
    expect(
      formatFields([
        ['dag_id', 'x'],
        ['description', null],
      ]),
    ).toBe('dag_id:       x\ndescription:  -\n');
  });
});
