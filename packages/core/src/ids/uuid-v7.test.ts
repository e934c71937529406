import { describe, expect, it } from 'vitest';
import { nextUuidV7Clock, uuidV7Generator } from './uuid-v7.ts';

describe('uuidV7', () => {
  // One generator for the file: its clock starts here, whatever ids the process made before.
  const uuidV7 = uuidV7Generator();

  it('has the version 7 and variant bits and the timestamp in front', () => {
    const id = uuidV7(Date.UTC(2026, 0, 1));
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(Number.parseInt(id.replaceAll('-', '').slice(0, 12), 16)).toBe(Date.UTC(2026, 0, 1));
  });

  it('strictly increases for 1,000 ids made in one millisecond', () => {
    const now = Date.UTC(2027, 5, 1);
    const ids = Array.from({ length: 1000 }, () => uuidV7(now));
    const outOfOrder = ids.filter((id, index) => index > 0 && id <= (ids[index - 1] as string));
    expect(outOfOrder).toEqual([]);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab]/);
  });

  it('sorts by creation time across milliseconds and never repeats', () => {
    const ids = Array.from({ length: 1000 }, (_, i) => uuidV7(Date.UTC(2028, 0, 1) + Math.floor(i / 7)));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(1000);
  });

  it('keeps increasing when the wall clock steps back', () => {
    const later = uuidV7(Date.UTC(2029, 0, 1, 0, 0, 1));
    const earlier = uuidV7(Date.UTC(2029, 0, 1));
    expect(earlier > later).toBe(true);
  });

  it('rolls a full counter over into the next millisecond', () => {
    const full = { lastMs: 1000, counter: 2 ** 42 - 1 };
    const next = nextUuidV7Clock(full, 1000);
    expect(next.lastMs).toBe(1001);
    expect(next.counter).toBeLessThan(2 ** 41);
  });
});
