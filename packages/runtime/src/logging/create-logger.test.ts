import { describe, expect, it } from 'vitest';
import { formatLine } from './create-logger.ts';

function entry(level: number, err: { message: string; stack: string }): string {
  return JSON.stringify({ level, time: Date.UTC(2026, 0, 1), component: 'api-server', msg: 'request failed', err });
}

describe('the pretty log format', () => {
  const err = { message: 'boom', stack: 'TypeError: boom\n    at route (app.ts:1:1)' };

  it('prints the stack of an error-level entry under its line', () => {
    expect(formatLine(entry(50, err))).toBe(
      '00:00:00.000 ERROR api-server request failed err="boom"\n    TypeError: boom\n        at route (app.ts:1:1)\n',
    );
  });

  it('keeps a warning to one line', () => {
    expect(formatLine(entry(40, err))).toBe('00:00:00.000 WARN  api-server request failed err="boom"\n');
  });
});
