import type { TidemarkConfig } from '@tidemark/core';
import pino, { type Logger } from 'pino';

const LEVEL_NAMES: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};
const OMITTED = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'component']);

/**
 * The process logger (pino). `logging.format = "pretty"` prints one readable line per entry
 * (`22:31:05.123 INFO  scheduler  DAG run finished dag_id=… state=success`); `json` prints pino's
 * JSON lines for log shippers.
 */
export function createLogger(config: TidemarkConfig, component: string): Logger {
  const options = { level: config.logging.level, base: { component } };
  if (config.logging.format === 'json') return pino(options);
  return pino(options, { write: (line: string) => process.stdout.write(formatLine(line)) });
}

export function formatLine(json: string): string {
  const entry = JSON.parse(json) as Record<string, unknown>;
  const time = new Date(entry.time as number).toISOString().slice(11, 23);
  const level = (LEVEL_NAMES[entry.level as number] ?? String(entry.level)).padEnd(5);
  const component = String(entry.component ?? '').padEnd(10);
  const fields = Object.entries(entry)
    .filter(([key]) => !OMITTED.has(key))
    .map(([key, value]) => `${key}=${formatValue(value)}`)
    .join(' ');
  return `${time} ${level} ${component} ${entry.msg ?? ''}${fields ? ` ${fields}` : ''}\n${errorStack(entry)}`;
}

const ERROR_LEVEL = 50;

/** An error-level entry's `err` stack, indented under its line (a warning keeps to one line). */
function errorStack(entry: Record<string, unknown>): string {
  const stack = (entry.err as { stack?: unknown } | undefined)?.stack;
  if ((entry.level as number) < ERROR_LEVEL || typeof stack !== 'string') return '';
  return `${stack
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n')}\n`;
}

function formatValue(value: unknown): string {
  if (value && typeof value === 'object' && 'message' in value && 'stack' in value) {
    return JSON.stringify((value as { message: string }).message);
  }
  return typeof value === 'string' && !/\s/.test(value) ? value : JSON.stringify(value);
}
