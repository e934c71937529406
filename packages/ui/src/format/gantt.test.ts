import { describe, expect, it } from 'vitest';
import type { TaskInstance } from '../api/types.ts';
import { ganttOf, ganttTicks } from './gantt.ts';

const T = Date.parse('2026-12-01T10:00:00Z');
const at = (seconds: number) => new Date(T + seconds * 1000).toISOString();

function ti(fields: Partial<Record<keyof TaskInstance, unknown>>): TaskInstance {
  return {
    task_id: 't',
    map_index: -1,
    state: null,
    try_number: 1,
    queued_when: null,
    start_date: null,
    end_date: null,
    next_retry_at: null,
    ...fields,
  } as TaskInstance;
}

describe('the Gantt of a run', () => {
  it('shows queued then running for a finished try, and the axis spans every segment', () => {
    const chart = ganttOf(
      [ti({ state: 'success', queued_when: at(0), start_date: at(2), end_date: at(10) })],
      T + 60_000,
    );
    expect(chart.rows[0]?.segments).toEqual([
      { kind: 'queued', start: T, end: T + 2_000 },
      { kind: 'running', start: T + 2_000, end: T + 10_000 },
    ]);
    expect([chart.start, chart.end]).toEqual([T, T + 10_000]);
    expect(ganttTicks(chart, 3)).toEqual([T, T + 5_000, T + 10_000]);
  });

  it('runs a running try and a queued one up to now, and shows the wait before a retry', () => {
    const now = T + 30_000;
    const chart = ganttOf(
      [
        ti({ state: 'running', queued_when: at(0), start_date: at(1) }),
        ti({ state: 'queued', queued_when: at(20) }),
        ti({ state: 'up_for_retry', try_number: 1, start_date: at(1), end_date: at(5), next_retry_at: at(65) }),
        ti({ state: null }),
      ],
      now,
    );
    expect(chart.rows.map((row) => row.segments.map((segment) => segment.kind))).toEqual([
      ['queued', 'running'],
      ['queued'],
      ['running', 'retry_wait'],
      [],
    ]);
    expect(chart.rows[0]?.segments[1]?.end).toBe(now);
    expect(chart.rows[1]?.segments[0]).toEqual({ kind: 'queued', start: T + 20_000, end: now });
    expect(chart.end).toBe(T + 65_000);
  });

  it('has an axis of its own when nothing has started', () => {
    const chart = ganttOf([ti({})], T);
    expect(chart.end).toBeGreaterThan(chart.start);
  });
});
