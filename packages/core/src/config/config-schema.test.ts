import { describe, expect, it } from 'vitest';
import { configSchema } from './config-schema.ts';

describe('configSchema', () => {
  it('fills every section from an empty object and leaves database.url unset', () => {
    const parsed = configSchema.parse({});
    expect(parsed.database.url).toBeUndefined();
    expect(parsed.state.max_value_bytes).toBe(65_536);
    expect(parsed.state.default_retention).toBe(2_592_000_000);
    expect(parsed.scheduler.task_heartbeat_timeout).toBe(30_000);
  });

  it('accepts "1" and "0" as booleans', () => {
    expect(configSchema.parse({ state: { clear_on_success: '1' } }).state.clear_on_success).toBe(true);
    expect(configSchema.parse({ state: { clear_on_success: '0' } }).state.clear_on_success).toBe(false);
  });

  it('is strict at the top level and in sections', () => {
    const top = configSchema.safeParse({ extra: {} });
    expect(top.success).toBe(false);
    expect(top.error?.issues[0]).toMatchObject({ code: 'unrecognized_keys', keys: ['extra'], path: [] });
    const inner = configSchema.safeParse({ api: { prot: 1 } });
    expect(inner.success).toBe(false);
    expect(inner.error?.issues[0]).toMatchObject({ code: 'unrecognized_keys', keys: ['prot'], path: ['api'] });
  });

  it('rejects integer strings with anything but digits', () => {
    for (const text of ['1e3', '0x10', ' 5', '5 ', '']) {
      expect(configSchema.safeParse({ api: { port: text } }).success, text).toBe(false);
    }
  });
});
