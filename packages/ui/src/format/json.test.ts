import { describe, expect, it } from 'vitest';
import { parseConf, parseStateValue } from './json.ts';
import { progressOf } from './progress.ts';

describe('reading what people type', () => {
  it('takes any JSON value as a state value but null, and says why it refuses', () => {
    expect(parseStateValue('{"done": 3, "total": 10}')).toEqual({ ok: true, value: { done: 3, total: 10 } });
    expect(parseStateValue('"text"')).toEqual({ ok: true, value: 'text' });
    expect(parseStateValue('0')).toEqual({ ok: true, value: 0 });
    expect(parseStateValue('null')).toMatchObject({ ok: false, message: expect.stringContaining('cannot be null') });
    expect(parseStateValue('{"done": ')).toMatchObject({
      ok: false,
      message: expect.stringContaining('Not valid JSON'),
    });
    expect(parseStateValue('  ')).toMatchObject({ ok: false });
  });

  it('takes a JSON object (or nothing) as a conf', () => {
    expect(parseConf('')).toEqual({ ok: true, value: {} });
    expect(parseConf('{"items": 20}')).toEqual({ ok: true, value: { items: 20 } });
    expect(parseConf('[1]')).toMatchObject({ ok: false, message: expect.stringContaining('JSON object') });
    expect(parseConf('{')).toMatchObject({ ok: false });
  });
});

describe('progressOf', () => {
  it('finds {done, total} numbers, extra fields allowed', () => {
    expect(progressOf({ done: 3, total: 10, ranges: [] })).toEqual({ done: 3, total: 10 });
  });

  it('ignores anything else', () => {
    for (const value of [null, 3, 'x', [3, 10], { done: '3', total: 10 }, { done: 3 }, { done: 1, total: -1 }]) {
      expect(progressOf(value)).toBeNull();
    }
  });
});
