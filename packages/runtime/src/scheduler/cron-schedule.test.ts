import { describe, expect, it } from 'vitest';
import { dueRuns } from './cron-schedule.ts';

const at = (iso: string) => Date.parse(iso);

describe('dueRuns', () => {
  it('on first sight without catchup creates only the latest due run', () => {
    const due = dueRuns(
      { schedule: '@daily', startDate: at('2026-01-01T00:00:00Z'), catchup: false },
      null,
      at('2026-01-05T10:00:00Z'),
    );
    expect(due.fireTimes).toEqual([at('2026-01-05T00:00:00Z')]);
    expect(due.nextRunAt).toBe(at('2026-01-06T00:00:00Z'));
  });

  it('with catchup creates every run since the start date, oldest first', () => {
    const due = dueRuns(
      { schedule: '@daily', startDate: at('2026-01-01T00:00:00Z'), catchup: true },
      null,
      at('2026-01-03T10:00:00Z'),
    );
    expect(due.fireTimes).toEqual([at('2026-01-01T00:00:00Z'), at('2026-01-02T00:00:00Z'), at('2026-01-03T00:00:00Z')]);
  });

  it('creates nothing before the start date, and waits for it', () => {
    const due = dueRuns(
      { schedule: '0 * * * *', startDate: at('2026-02-01T00:00:00Z'), catchup: false },
      null,
      at('2026-01-15T00:00:00Z'),
    );
    expect(due).toEqual({ fireTimes: [], nextRunAt: at('2026-02-01T00:00:00Z') });
  });

  it('creates nothing until the next run time arrives', () => {
    const due = dueRuns(
      { schedule: '@hourly', startDate: null, catchup: false },
      at('2026-01-01T11:00:00Z'),
      at('2026-01-01T10:59:59Z'),
    );
    expect(due).toEqual({ fireTimes: [], nextRunAt: at('2026-01-01T11:00:00Z') });
  });

  it('after a pause without catchup resumes with one run', () => {
    const due = dueRuns(
      { schedule: '@hourly', startDate: null, catchup: false },
      at('2026-01-01T00:00:00Z'),
      at('2026-01-08T00:30:00Z'),
    );
    expect(due.fireTimes).toEqual([at('2026-01-08T00:00:00Z')]);
    expect(due.nextRunAt).toBe(at('2026-01-08T01:00:00Z'));
  });

  it('a run exactly at the fire time is due', () => {
    const due = dueRuns(
      { schedule: '*/5 * * * *', startDate: null, catchup: false },
      at('2026-01-01T00:05:00Z'),
      at('2026-01-01T00:05:00Z'),
    );
    expect(due.fireTimes).toEqual([at('2026-01-01T00:05:00Z')]);
  });

  it('refuses a schedule that is not cron, with a message naming it', () => {
    expect(() => dueRuns({ schedule: 'every tuesday', startDate: null, catchup: false }, null, 0)).toThrow(
      /schedule "every tuesday" is not a cron expression or preset/,
    );
  });
});
