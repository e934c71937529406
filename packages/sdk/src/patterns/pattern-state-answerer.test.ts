import { describe, expect, it } from 'vitest';
import { asset } from '../dag/asset.ts';
import { useBackendStateAnswerers } from './fixtures/backend-state-answerer.ts';
import { inProcessContext } from './fixtures/in-process-context.ts';
import { watermark } from './watermark.ts';

// The pattern tests answer state requests with the real metastore backend: these are the rules an
// in-memory stand-in got wrong, and the pattern tests would not have noticed.
describe('the pattern tests’ state answerer follows the real backend', () => {
  const openAnswerer = useBackendStateAnswerers();

  it('advances a string watermark by Unicode code point, as core’s isAdvance does', async () => {
    const answerer = await openAnswerer();
    const orders = asset('orders');
    const { ctx } = inProcessContext(answerer, { assets: [orders] });
    const cursor = watermark(ctx, orders, { key: 'cursor', initial: '' });
    await cursor.commit('\u{FFFF}');
    await answerer.applyStaged();
    // U+1F600 is after U+FFFF by code point, though JavaScript's `<` puts its UTF-16 form first.
    await cursor.commit('\u{1F600}');
    await answerer.applyStaged();
    expect(await cursor.read()).toBe('\u{1F600}');
  });

  it('keeps a key’s versions rising across delete and re-create', async () => {
    const answerer = await openAnswerer();
    const { ctx } = inProcessContext(answerer);
    expect(await ctx.taskState.set('job', 'a')).toEqual({ version: 1 });
    expect(await ctx.taskState.set('job', 'b')).toEqual({ version: 2 });
    await ctx.taskState.delete('job');
    const recreated = await ctx.taskState.set('job', 'c');
    expect(recreated.version).toBeGreaterThan(2);
    await expect(ctx.taskState.set('job', 'd', { ifVersion: 1 })).rejects.toMatchObject({ code: 'state_conflict' });
  });
});
