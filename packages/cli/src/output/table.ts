/** A cell: null/undefined print as "-", everything else as its string. */
export type Cell = string | number | boolean | null | undefined;

export interface Column<Row> {
  readonly header: string;
  readonly value: (row: Row) => Cell;
  /** Numbers read better right-aligned. */
  readonly align?: 'left' | 'right';
}

/**
 * An aligned plain-text table: a header line, then one line per row, columns separated by two
 * spaces, no trailing spaces. Wide characters are rare in ids; `String.length` is good enough.
 */
export function formatTable<Row>(columns: readonly Column<Row>[], rows: readonly Row[]): string {
  const cells = rows.map((row) => columns.map((column) => cellText(column.value(row))));
  const widths = columns.map((column, index) =>
    Math.max(column.header.length, ...cells.map((line) => (line[index] as string).length)),
  );
  const render = (line: readonly string[]) =>
    line
      .map((text, index) => {
        const width = widths[index] as number;
        const last = index === line.length - 1;
        if (columns[index]?.align === 'right') return text.padStart(width);
        return last ? text : text.padEnd(width);
      })
      .join('  ')
      .trimEnd();
  return `${[render(columns.map((column) => column.header)), ...cells.map(render)].join('\n')}\n`;
}

export function cellText(value: Cell): string {
  if (value === null || value === undefined || value === '') return '-';
  // One line per row: a newline inside a cell (a description) would break the alignment.
  return String(value).replace(/\s*\n\s*/g, ' ');
}

/** `key: value` lines, keys padded to one width (for `show` commands). */
export function formatFields(fields: readonly (readonly [string, Cell])[]): string {
  const width = Math.max(0, ...fields.map(([key]) => key.length));
  return `${fields.map(([key, value]) => `${`${key}:`.padEnd(width + 1)}  ${cellText(value)}`.trimEnd()).join('\n')}\n`;
}
