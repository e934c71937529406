/** A task log's line, as the api-server writes it: `<ISO time> <LEVEL> [<source>] <message>`. */
export interface LogLine {
  readonly text: string;
  /** null: a line of another shape (it is shown whatever the level filter says). */
  readonly level: LogLevel | null;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

const LINE = /^\S+ (DEBUG|INFO|WARN|ERROR) \[/;

/** A line indented by 4 spaces continues the entry above (a stack trace): it has that entry's level. */
const CONTINUATION = /^ {4}/;

export function logLinesOf(text: string): LogLine[] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  let previous: LogLevel | null = null;
  return lines.map((line) => {
    const own = (LINE.exec(line)?.[1]?.toLowerCase() as LogLevel | undefined) ?? null;
    const level = own ?? (CONTINUATION.test(line) ? previous : null);
    previous = level;
    return { text: line, level };
  });
}

/** The lines at `minimum` level or above that contain `search` (case-insensitive). */
export function filterLogLines(lines: readonly LogLine[], minimum: LogLevel, search: string): LogLine[] {
  const floor = LOG_LEVELS.indexOf(minimum);
  const needle = search.trim().toLowerCase();
  return lines.filter(
    (line) =>
      (line.level === null || LOG_LEVELS.indexOf(line.level) >= floor) &&
      (needle === '' || line.text.toLowerCase().includes(needle)),
  );
}
