import { describe, expect, it } from 'vitest';
import type { DagRun } from '../api/types.ts';
import { runDurationChart } from './run-durations.ts';

const T = Date.parse('2026-12-01T10:00:00Z');
const at = (s: number) => new Date(T + s * 1000).toISOString();

function run(id: string, state: string, queued: number | null, start: number | null, end: number | null): DagRun {
  return {
    dag_run_id: id,
    state,
    queued_at: queued === null ? null : at(queued),
    start_date: start === null ? null : at(start),
    end_date: end === null ? null : at(end),
  } as DagRun;
}

describe('the run-duration chart', () => {
  it('puts the oldest run first with its wait and run time, and takes the median of finished runs', () => {
    const chart = runDurationChart(
      [
        run('r4', 'running', 100, 101, null),
        run('r3', 'failed', 50, 52, 60),
        run('r2', 'success', 20, 20, 24),
        run('r1', 'success', 0, 1, 31),
      ],
      T + 111_000,
    );
    expect(chart.bars.map((bar) => [bar.run.dag_run_id, bar.queued, bar.ran])).toEqual([
      ['r1', 1, 30],
      ['r2', 0, 4],
      ['r3', 2, 8],
      ['r4', 1, 10],
    ]);
    expect(chart.median).toBe(8);
    expect(chart.max).toBe(31);
  });

  it('draws a queued run as nothing yet, and has an axis with no runs', () => {
    const chart = runDurationChart([run('r1', 'queued', 0, null, null)], T + 5_000);
    expect(chart.bars[0]).toMatchObject({ queued: 0, ran: 0 });
    expect(chart.median).toBeNull();
    expect(runDurationChart([], T).max).toBe(1);
  });
});
