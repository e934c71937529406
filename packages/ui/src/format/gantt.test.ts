import { describe, expect, it } from 'vitest';
import type { TaskInstance, TaskInstanceTry } from '../api/types.ts';
import { ganttOf, ganttTicks, needsTryHistory, triesFromRow } from './gantt.ts';

const T = Date.parse('2026-12-01T10:00:00Z');
const at = (seconds: number) => new Date(T + seconds * 1000).toISOString();

function ti(fields: Partial<Record<keyof TaskInstance, unknown>>): TaskInstance {
  return {
    id: 'ti',
    task_id: 't',
    map_index: -1,
    state: null,
    try_number: 1,
    max_tries: 3,
    queued_when: null,
    start_date: null,
    end_date: null,
    next_retry_at: null,
    ...fields,
  } as TaskInstance;
}

function attempt(fields: Partial<Record<keyof TaskInstanceTry, unknown>>): TaskInstanceTry {
  return {
    task_id: 't',
    map_index: -1,
    try_number: 1,
    max_tries: 3,
    queued_when: null,
    start_date: null,
    end_date: null,
    next_retry_at: null,
    ...fields,
  } as TaskInstanceTry;
}

const kinds = (chart: ReturnType<typeof ganttOf>) =>
  chart.rows.map((row) => row.segments.map((segment) => `${segment.tryNumber}:${segment.kind}:${segment.state}`));

describe('the Gantt of a run', () => {
  it('shows queued then running for a finished try, and the axis spans every segment', () => {
    const chart = ganttOf(
      [{ ti: ti({ state: 'success', queued_when: at(0), start_date: at(2), end_date: at(10) }) }],
      T + 60_000,
    );
    expect(chart.rows[0]?.segments).toEqual([
      { kind: 'queued', start: T, end: T + 2_000, tryNumber: 1, state: 'success' },
      { kind: 'running', start: T + 2_000, end: T + 10_000, tryNumber: 1, state: 'success' },
    ]);
    expect([chart.start, chart.end]).toEqual([T, T + 10_000]);
    expect(ganttTicks(chart, 3)).toEqual([T, T + 5_000, T + 10_000]);
  });

  it('runs a running try and a queued one up to now, and shows the wait before a retry', () => {
    const now = T + 30_000;
    const chart = ganttOf(
      [
        { ti: ti({ state: 'running', queued_when: at(0), start_date: at(1) }) },
        { ti: ti({ state: 'queued', try_number: 0, queued_when: at(20) }) },
        { ti: ti({ state: 'up_for_retry', start_date: at(1), end_date: at(5), next_retry_at: at(65) }) },
        { ti: ti({ state: null, try_number: 0 }) },
      ],
      now,
    );
    expect(kinds(chart)).toEqual([
      ['1:queued:running', '1:running:running'],
      ['1:queued:queued'],
      ['1:running:up_for_retry', '1:retry_wait:up_for_retry'],
      [],
    ]);
    expect(chart.rows[0]?.segments[1]?.end).toBe(now);
    expect(chart.rows[1]?.segments[0]).toMatchObject({ kind: 'queued', start: T + 20_000, end: now });
    expect(chart.end).toBe(T + 65_000);
  });

  it('draws every try of a retried TI, each in its own state, with the wait taken between them', () => {
    const tries = [
      attempt({
        try_number: 2,
        state: 'success',
        queued_when: at(12),
        start_date: at(13),
        end_date: at(20),
      }),
      attempt({
        try_number: 1,
        state: 'up_for_retry',
        queued_when: at(0),
        start_date: at(1),
        end_date: at(4),
        next_retry_at: at(10),
      }),
    ];
    const chart = ganttOf([{ ti: ti({ state: 'success', try_number: 2 }), tries }], T + 60_000);
    expect(kinds(chart)).toEqual([
      [
        '1:queued:up_for_retry',
        '1:running:up_for_retry',
        '1:retry_wait:up_for_retry',
        '2:queued:success',
        '2:running:success',
      ],
    ]);
    // The wait runs to when try 2 was queued (12 s), not to when it was due (10 s).
    expect(chart.rows[0]?.segments[2]).toMatchObject({ start: T + 4_000, end: T + 12_000 });
    expect(chart.rows[0]?.tries.map((row) => row.try_number)).toEqual([1, 2]);
  });

  it('asks for the tries only of a TI whose row does not tell them all', () => {
    expect(needsTryHistory(ti({ state: 'success', try_number: 1 }))).toBe(false);
    expect(needsTryHistory(ti({ state: 'running', try_number: 1 }))).toBe(false);
    expect(needsTryHistory(ti({ state: 'queued', try_number: 0 }))).toBe(false);
    expect(needsTryHistory(ti({ state: 'success', try_number: 2 }))).toBe(true);
    expect(needsTryHistory(ti({ state: 'queued', try_number: 1 }))).toBe(true);
    expect(needsTryHistory(ti({ state: null, try_number: 1 }))).toBe(true);
    expect(triesFromRow(ti({ state: 'queued', try_number: 0, queued_when: at(3) }))).toEqual([
      expect.objectContaining({ try_number: 1, state: 'queued', queued_when: at(3), start_date: null }),
    ]);
    expect(triesFromRow(ti({ state: null, try_number: 0 }))).toEqual([]);
  });

  it('has an axis of its own when nothing has started', () => {
    const chart = ganttOf([{ ti: ti({}) }], T);
    expect(chart.end).toBeGreaterThan(chart.start);
  });
});
