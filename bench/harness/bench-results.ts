import { cpus, totalmem } from 'node:os';

/** One line of the results table. `met` is null where the scenario has no target. */
export interface BenchRow {
  readonly id: string;
  readonly scenario: string;
  readonly dialect: string;
  readonly measure: string;
  readonly value: string;
  readonly baseline: string;
  readonly ratio: string;
  readonly target: string;
  readonly met: boolean | null;
}

export function renderTable(rows: readonly BenchRow[]): string {
  const lines = [
    '| # | scenario | dialect | measure | result | baseline (same run) | ratio | target | met |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const row of rows) {
    const met = row.met === null ? '—' : row.met ? 'yes' : '**no**';
    lines.push(
      `| ${row.id} | ${row.scenario} | ${row.dialect} | ${row.measure} | ${row.value} | ${row.baseline} | ${row.ratio} | ${row.target} | ${met} |`,
    );
  }
  return lines.join('\n');
}

export function machineDescription(versions: Record<string, string>): string {
  const cpu = cpus();
  const parts = [
    `${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}`,
    `${Math.round(totalmem() / 2 ** 30)} GiB`,
    `Node ${process.version}`,
    ...Object.entries(versions).map(([name, version]) => `${name} ${version}`),
  ];
  return parts.join(', ');
}

export const ms = (value: number) =>
  value >= 100 ? `${Math.round(value)} ms` : `${value.toFixed(value < 1 ? 3 : 1)} ms`;
export const ratio = (value: number, baseline: number) => `${(value / baseline).toFixed(2)}×`;
export const perSecond = (value: number) => `${Math.round(value).toLocaleString('en-US')}/s`;
