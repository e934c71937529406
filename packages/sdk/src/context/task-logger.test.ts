import { describe, expect, it } from 'vitest';
import type { TaskLogLevel } from '../runner/supervisor-channel.ts';
import { createTaskLogger } from './task-logger.ts';

describe('ctx.log', () => {
  it('sends each level with its fields appended as JSON', () => {
    const lines: [TaskLogLevel, string][] = [];
    const log = createTaskLogger({ log: (level, message) => lines.push([level, message]) });
    log.debug('plain');
    log.info('loaded', { rows: 3, table: 'orders' });
    log.warn('big', { count: 10n });
    log.error('failed', { error: new TypeError('bad input') });
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    log.info('odd', circular);
    expect(lines).toEqual([
      ['debug', 'plain'],
      ['info', 'loaded {"rows":3,"table":"orders"}'],
      ['warn', 'big {"count":"10"}'],
      ['error', 'failed {"error":{"name":"TypeError","message":"bad input"}}'],
      ['info', expect.stringMatching(/^odd \(fields not loggable: .*circular/)],
    ]);
  });
});
