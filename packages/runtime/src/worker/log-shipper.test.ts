import type { LogLine } from '@tidemark/core';
import { describe, expect, it } from 'vitest';
import { ExecutionApiUnreachableError } from '../errors.ts';
import { LogShipper, MAX_LOG_MESSAGE_CHARS } from './log-shipper.ts';

function line(message: string): LogLine {
  return { ts: 0, level: 'info', source: 'stdout', message };
}

/** A send that records what it was given, failing as told first. */
function recordingSend(failures: unknown[] = []) {
  const batches: string[][] = [];
  const send = async (lines: readonly LogLine[]) => {
    const failure = failures.shift();
    if (failure) throw failure;
    batches.push(lines.map((entry) => entry.message));
  };
  return { batches, send };
}

describe('LogShipper', () => {
  it('sends buffered lines after the flush interval without being asked', async () => {
    const { batches, send } = recordingSend();
    const shipper = new LogShipper({ send, flushIntervalMs: 20 });
    shipper.push(line('a'));
    shipper.push(line('b'));

    await expect
      .poll(() => batches, { timeout: 10_000, message: 'the timer to send the buffered lines' })
      .toEqual([['a', 'b']]);
  });

  it('sends everything in order, in batches of at most 1000 lines', async () => {
    const { batches, send } = recordingSend();
    const shipper = new LogShipper({ send, flushIntervalMs: 10_000 });
    for (let i = 0; i < 2_500; i++) shipper.push(line(String(i)));

    await shipper.flush();

    expect(batches.map((batch) => batch.length)).toEqual([1_000, 1_000, 500]);
    expect(batches.flat()).toEqual(Array.from({ length: 2_500 }, (_, i) => String(i)));
  });

  it('keeps lines back after a transient failure and sends them later, in order', async () => {
    const { batches, send } = recordingSend([new ExecutionApiUnreachableError('http://x', 'ECONNREFUSED')]);
    const shipper = new LogShipper({ send, flushIntervalMs: 10 });
    shipper.push(line('first'));
    await shipper.flush();
    shipper.push(line('second'));

    await expect
      .poll(() => batches.flat(), { timeout: 10_000, message: 'the timer to send the kept-back lines' })
      .toEqual(['first', 'second']);
  });

  it('drops a batch the server refuses for good, and says so', async () => {
    const refusal = new Error('bad request');
    const { batches, send } = recordingSend([refusal]);
    const dropped: number[] = [];
    const shipper = new LogShipper({ send, onError: (_error, count) => dropped.push(count) });
    shipper.push(line('refused'));
    await shipper.flush();
    shipper.push(line('accepted'));
    await shipper.flush();

    expect(dropped).toEqual([1]);
    expect(batches).toEqual([['accepted']]);
  });

  it('cuts very long messages', async () => {
    const { batches, send } = recordingSend();
    const shipper = new LogShipper({ send });
    shipper.push(line('x'.repeat(MAX_LOG_MESSAGE_CHARS + 10)));

    await shipper.flush();

    expect(batches[0]?.[0]).toMatch(/^x{8000}… \(10 more characters cut\)$/);
  });
});
