import { describe, expect, it } from 'vitest';
import { filterLogLines, logLinesOf } from './log-lines.ts';

const LOG = [
  '2026-12-01T10:00:00.000Z INFO [task] greeting Ada',
  '2026-12-01T10:00:00.100Z DEBUG [supervisor] heartbeat',
  '2026-12-01T10:00:00.200Z WARN [task] slow source',
  'a line of another shape',
  '2026-12-01T10:00:00.300Z ERROR [task] Error: failing the first try on purpose',
  '    at Object.fn (dags/hello.ts:3:9)',
  '',
].join('\n');

describe('task log lines', () => {
  it('reads the level of each line the api-server wrote', () => {
    expect(logLinesOf(LOG).map((line) => line.level)).toEqual(['info', 'debug', 'warn', null, 'error', 'error']);
  });

  it('keeps the lines at a level or above that contain the text; other lines pass the level filter', () => {
    const lines = logLinesOf(LOG);
    expect(filterLogLines(lines, 'warn', '').map((line) => line.level)).toEqual(['warn', null, 'error', 'error']);
    expect(filterLogLines(lines, 'debug', 'ADA').map((line) => line.text)).toEqual([
      '2026-12-01T10:00:00.000Z INFO [task] greeting Ada',
    ]);
  });
});
