import { describe, expect, it } from 'vitest';
import { DagDefinitionError, InvalidWaitError } from '../errors.ts';
import { dag } from './dag.ts';
import { isWait, timer } from './wait.ts';

describe('polls and waits in a DAG file (SPEC §16)', () => {
  it('declares a poll whose ref and waitFor build the same wait', () => {
    const jobs = dag('jobs');
    const ref = jobs.poll('spark_job', { every: '10s' }, async () => undefined);
    expect(ref).toMatchObject({ name: 'spark_job', everyMs: 10_000 });
    expect(ref.wait({ jobId: 'j' }).spec).toEqual(jobs.waitFor('spark_job', { jobId: 'j' }).spec);
    expect(jobs.waitFor('spark_job').spec).toEqual({ kind: 'poll', name: 'spark_job', args: {}, everyMs: 10_000 });
    expect(jobs.pollNames).toEqual(['spark_job']);
    expect(jobs.getPoll('spark_job')?.everyMs).toBe(10_000);
  });

  it('refuses a poll declared twice, a bad name, an interval under 100 ms and unknown options', () => {
    const jobs = dag('jobs');
    jobs.poll('p', { every: 100 }, () => undefined);
    const cases: [() => unknown, RegExp][] = [
      [() => jobs.poll('p', { every: '1s' }, () => undefined), /poll "p" in DAG "jobs" is declared twice/],
      [() => jobs.poll('a b', { every: '1s' }, () => undefined), /a poll name is 1–250 characters/],
      [
        () => jobs.poll('fast', { every: 50 }, () => undefined),
        /between 100 ms and 366 days, got 50 ms \(a poll runs at most every 100 ms\)/,
      ],
      [() => jobs.poll('late', { every: '5' }, () => undefined), /has no unit/],
      [() => jobs.poll('odd', { every: '1s', jitter: 2 } as never, () => undefined), /jitter/],
      [() => jobs.poll('nofn', { every: '1s' }, 'x' as never), /needs a function/],
    ];
    for (const [declare, message] of cases) {
      expect(declare).toThrow(DagDefinitionError);
      expect(declare).toThrow(message);
    }
  });

  it('builds timers and refuses what is not a time', () => {
    expect(timer('10m').spec).toEqual({ kind: 'timer', delayMs: 600_000 });
    expect(timer(250).spec).toEqual({ kind: 'timer', delayMs: 250 });
    expect(timer({ until: new Date(Date.UTC(2030, 0, 1)) }).spec).toEqual({
      kind: 'timer',
      until: Date.UTC(2030, 0, 1),
    });
    expect(isWait(timer('1s'))).toBe(true);
    expect(isWait({ spec: { kind: 'timer', delayMs: 1 } })).toBe(false);
    expect(() => timer('soon')).toThrow(InvalidWaitError);
    expect(() => timer({ until: 'yesterday-ish' })).toThrow(/needs a Date, an ISO-8601 string or epoch milliseconds/);
    expect(() => timer('400d')).toThrow(/between 0 ms and 366 days/);
  });

  it('refuses poll arguments that are not JSON', () => {
    const jobs = dag('jobs');
    jobs.poll('p', { every: '1s' }, () => undefined);
    expect(() => jobs.waitFor('p', { at: Number.NaN } as never)).toThrow(/the arguments of poll "p" must be JSON/);
    expect(() => jobs.waitFor('p', null as never)).toThrow(InvalidWaitError);
  });
});
