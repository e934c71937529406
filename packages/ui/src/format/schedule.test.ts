import { describe, expect, it } from 'vitest';
import { scheduleLabel } from './schedule.ts';

describe('scheduleLabel', () => {
  it('names a cron, an asset condition, both, or manual', () => {
    expect(scheduleLabel({ schedule: '@daily', asset_expression: null })).toBe('@daily');
    expect(scheduleLabel({ schedule: null, asset_expression: 'all(orders, customers)' })).toBe(
      'all(orders, customers)',
    );
    expect(scheduleLabel({ schedule: '@daily', asset_expression: 'orders' })).toBe('@daily or orders');
    expect(scheduleLabel({ schedule: null, asset_expression: null })).toBe('manual');
  });
});
