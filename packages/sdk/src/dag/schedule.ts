import { DagDefinitionError } from '../errors.ts';

/** The presets the scheduler's cron library (croner) understands. */
export const SCHEDULE_PRESETS = [
  '@hourly',
  '@daily',
  '@midnight',
  '@weekly',
  '@monthly',
  '@yearly',
  '@annually',
] as const;

const CRON_FIELD_PATTERN = /^[0-9A-Za-z*/,?#-]+$/;

/**
 * A structural check only (preset, or 5 fields, or 6 with seconds first, of cron characters): the
 * scheduler parses the expression for real, and the DAG processor reports what it refuses.
 */
export function validateSchedule(schedule: unknown, dagId: string): string | null {
  if (schedule === null || schedule === undefined) return null;
  if (typeof schedule === 'string') {
    const text = schedule.trim();
    if (text.startsWith('@')) {
      if ((SCHEDULE_PRESETS as readonly string[]).includes(text.toLowerCase())) return text.toLowerCase();
      if (text.toLowerCase() === '@once') {
        throw new DagDefinitionError(
          `schedule "@once" of DAG "${dagId}" is not supported: use schedule: null and trigger the DAG by hand`,
          { dag_id: dagId },
        );
      }
    } else {
      const fields = text.split(/\s+/);
      if ((fields.length === 5 || fields.length === 6) && fields.every((field) => CRON_FIELD_PATTERN.test(field))) {
        return fields.join(' ');
      }
    }
  }
  const shown = typeof schedule === 'string' ? JSON.stringify(schedule) : String(schedule);
  throw new DagDefinitionError(
    `schedule ${shown} of DAG "${dagId}" is not a cron expression or preset: use 5 cron fields ("0 6 * * *"), ` +
      `6 with seconds first, or one of ${SCHEDULE_PRESETS.join(', ')}; use null to trigger the DAG by hand only`,
    { dag_id: dagId },
  );
}
