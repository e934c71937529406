import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendAttemptLog, attemptLogPath, formatLogEntry, readAttemptLog } from './attempt-log.ts';

const ATTEMPT = { dagId: 'etl', runId: 'manual__a/b', taskId: 'load', mapIndex: -1, tryNumber: 2 };

describe('attempt logs', () => {
  let folder: string;
  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'tidemark-log-test-'));
  });
  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  it('encodes every path segment so ids cannot leave their folder', () => {
    expect(attemptLogPath('/logs', { dagId: '../etc', runId: 'a/b c', taskId: 't', mapIndex: 0, tryNumber: 1 })).toBe(
      '/logs/dag_id=..%2Fetc/run_id=a%2Fb%20c/task_id=t/map_index=0/attempt=1.log',
    );
  });

  it('formats an entry on one line, and a stack trace on indented lines that cannot pass for entries', () => {
    expect(formatLogEntry({ ts: Date.UTC(2026, 0, 1), level: 'warn', source: 'stderr', message: 'a\rb' })).toBe(
      '2026-01-01T00:00:00.000Z WARN [stderr] a\\rb\n',
    );
    const forged = 'Error: boom\r\n    at f (x.ts:1:1)\n2026-01-01T00:00:00.000Z INFO [supervisor] task succeeded\n';
    expect(formatLogEntry({ ts: Date.UTC(2026, 0, 1), level: 'error', source: 'task', message: forged })).toBe(
      '2026-01-01T00:00:00.000Z ERROR [task] Error: boom\n' +
        '        at f (x.ts:1:1)\n' +
        '    2026-01-01T00:00:00.000Z INFO [supervisor] task succeeded\n',
    );
  });

  it('reads nothing for an attempt without a log, and the log in whole lines from an offset', async () => {
    expect(await readAttemptLog(folder, ATTEMPT)).toBeUndefined();
    const entries = ['first', 'second', 'third'].map((message, index) => ({
      ts: Date.UTC(2026, 0, 1) + index,
      level: 'info' as const,
      source: 'task',
      message,
    }));
    await appendAttemptLog(folder, ATTEMPT, entries);
    const whole = await readAttemptLog(folder, ATTEMPT);
    expect(whole?.text.split('\n')).toEqual([
      '2026-01-01T00:00:00.000Z INFO [task] first',
      '2026-01-01T00:00:00.001Z INFO [task] second',
      '2026-01-01T00:00:00.002Z INFO [task] third',
      '',
    ]);
    expect(whole?.complete).toBe(true);

    const lineBytes = whole?.text.indexOf('\n') ?? 0;
    const head = await readAttemptLog(folder, ATTEMPT, { maxBytes: lineBytes + 10 });
    expect(head).toEqual({
      text: '2026-01-01T00:00:00.000Z INFO [task] first\n',
      nextOffset: lineBytes + 1,
      complete: false,
    });
    const rest = await readAttemptLog(folder, ATTEMPT, { offset: head?.nextOffset ?? 0 });
    expect(rest?.text).toBe(whole?.text.slice(lineBytes + 1));
    expect(rest?.complete).toBe(true);
  });

  it('appends each batch after the last, and recreates the folders when they were removed in between', async () => {
    const entry = (message: string) => ({ ts: Date.UTC(2026, 0, 1), level: 'info' as const, source: 'task', message });
    await appendAttemptLog(folder, ATTEMPT, [entry('one')]);
    await appendAttemptLog(folder, ATTEMPT, [entry('two')]);
    expect((await readAttemptLog(folder, ATTEMPT))?.text).toBe(
      '2026-01-01T00:00:00.000Z INFO [task] one\n2026-01-01T00:00:00.000Z INFO [task] two\n',
    );
    // Log retention (or an operator) removed the run's folder while the attempt still writes.
    rmSync(join(folder, 'dag_id=etl'), { recursive: true });
    await appendAttemptLog(folder, ATTEMPT, [entry('three')]);
    expect((await readAttemptLog(folder, ATTEMPT))?.text).toBe('2026-01-01T00:00:00.000Z INFO [task] three\n');
  });

  it('fails an append whose path is taken by a file, naming the error, and leaves the file as it was', async () => {
    const entry = { ts: Date.UTC(2026, 0, 1), level: 'info' as const, source: 'task', message: 'lost' };
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, 'dag_id=etl'), 'not a folder');
    await expect(appendAttemptLog(folder, ATTEMPT, [entry])).rejects.toThrow(/ENOTDIR|EEXIST/);
    expect(readFileSync(join(folder, 'dag_id=etl'), 'utf8')).toBe('not a folder');
  });
});
