import type { SupervisorRequester, TaskLogLevel } from '../runner/supervisor-channel.ts';

export type LogFields = Readonly<Record<string, unknown>>;
export type LogMethod = (message: string, fields?: LogFields) => void;

/** Log lines of the attempt, sent to the supervisor (which writes them to the attempt's log). */
export type TaskLogger = Readonly<Record<TaskLogLevel, LogMethod>>;

export function createTaskLogger(supervisor: Pick<SupervisorRequester, 'log'>): TaskLogger {
  const method =
    (level: TaskLogLevel): LogMethod =>
    (message, fields) =>
      supervisor.log(level, fields === undefined ? String(message) : `${String(message)} ${formatFields(fields)}`);
  return Object.freeze({ debug: method('debug'), info: method('info'), warn: method('warn'), error: method('error') });
}

function formatFields(fields: LogFields): string {
  try {
    return JSON.stringify(fields, (_key, value: unknown) => {
      if (typeof value === 'bigint') return value.toString();
      if (value instanceof Error) return { name: value.name, message: value.message };
      return value;
    });
  } catch (error) {
    return `(fields not loggable: ${error instanceof Error ? error.message : String(error)})`;
  }
}
