import { describe, expect, it } from 'vitest';
import { formatDurationMs, parseDurationMs } from './duration.ts';

describe('parseDurationMs', () => {
  it('parses every unit', () => {
    expect(parseDurationMs('500ms')).toBe(500);
    expect(parseDurationMs('2s')).toBe(2_000);
    expect(parseDurationMs('5m')).toBe(300_000);
    expect(parseDurationMs('1h')).toBe(3_600_000);
    expect(parseDurationMs('30d')).toBe(2_592_000_000);
    expect(parseDurationMs('2w')).toBe(1_209_600_000);
  });

  it('adds up compound durations', () => {
    expect(parseDurationMs('1h30m')).toBe(5_400_000);
    expect(parseDurationMs('1d12h')).toBe(129_600_000);
    expect(parseDurationMs('1m500ms')).toBe(60_500);
  });

  it('reads a bare number, as text or as a number, as seconds', () => {
    expect(parseDurationMs('0')).toBe(0);
    expect(parseDurationMs('90')).toBe(90_000);
    expect(parseDurationMs('1.5')).toBe(1_500);
    expect(parseDurationMs(0)).toBe(0);
    expect(parseDurationMs(2)).toBe(2_000);
  });

  it('accepts fractional amounts with a unit and rounds to whole milliseconds', () => {
    expect(parseDurationMs('1.5h')).toBe(5_400_000);
    expect(parseDurationMs('0.25s')).toBe(250);
    expect(parseDurationMs('2.4ms')).toBe(2);
  });

  it('ignores surrounding whitespace', () => {
    expect(parseDurationMs('  30d\n')).toBe(2_592_000_000);
  });

  it('returns undefined for text that is not a duration', () => {
    for (const text of ['', '   ', 'abc', '30x', 'd', '-1s', '1h 30m', '30 d', '1.h', 'h1', '1hx', '.5s', '30D']) {
      expect(parseDurationMs(text), JSON.stringify(text)).toBeUndefined();
    }
  });

  it('returns undefined for negative or non-finite numbers', () => {
    expect(parseDurationMs(-1)).toBeUndefined();
    expect(parseDurationMs(Number.NaN)).toBeUndefined();
    expect(parseDurationMs(Number.POSITIVE_INFINITY)).toBeUndefined();
  });
});

describe('formatDurationMs', () => {
  it('writes 0 as "0"', () => {
    expect(formatDurationMs(0)).toBe('0');
  });

  it('uses the largest unit that divides the duration exactly', () => {
    expect(formatDurationMs(1_209_600_000)).toBe('2w');
    expect(formatDurationMs(2_592_000_000)).toBe('30d');
    expect(formatDurationMs(86_400_000)).toBe('1d');
    expect(formatDurationMs(3_600_000)).toBe('1h');
    expect(formatDurationMs(5_400_000)).toBe('90m');
    expect(formatDurationMs(90_000)).toBe('90s');
    expect(formatDurationMs(2_000)).toBe('2s');
  });

  it('falls back to milliseconds', () => {
    expect(formatDurationMs(1)).toBe('1ms');
    expect(formatDurationMs(1_500)).toBe('1500ms');
  });

  it('round-trips through parseDurationMs', () => {
    for (const ms of [0, 1, 999, 1_000, 61_000, 3_600_000, 5_400_000, 2_592_000_000, 1_209_600_000]) {
      expect(parseDurationMs(formatDurationMs(ms))).toBe(ms);
    }
  });
});
