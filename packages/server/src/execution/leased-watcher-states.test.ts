import type { LeasedWatcher } from '@tidemark/core';
import { describe, expect, it } from 'vitest';
import { attachLeasedStates, type LeasedState } from './leased-watcher-states.ts';

function watcherOn(assetId: number, id = assetId): LeasedWatcher {
  return {
    id,
    name: `w${id}`,
    asset: { id: assetId, name: `asset_${assetId}`, uri: `file:///${assetId}` },
    dag_id: 'ingest',
    fileloc: 'ingest.ts',
    every_ms: 1_000,
    lease: 1,
    next_poll_at: 0,
    failure_count: 0,
  };
}

/** A state of `chars` characters, as readLeasedState measures it. */
const stateOf = (assetId: number, chars: number): LeasedState => ({
  entries: [{ key: 'cursor', value: assetId, version: 1 }],
  chars,
});

describe('the states a lease response carries', () => {
  it('reads each asset once, and gives its watchers the same state', async () => {
    const reads: number[] = [];
    const watchers = [watcherOn(1, 10), watcherOn(1, 11), watcherOn(2, 20)];
    await attachLeasedStates(watchers, async (assetId) => {
      reads.push(assetId);
      return stateOf(assetId, 30);
    });
    expect(reads).toEqual([1, 2]);
    expect(watchers.map((watcher) => watcher.state?.[0]?.value)).toEqual([1, 1, 2]);
  });

  it('gives null, without reading, to every watcher past the budget of the whole response', async () => {
    const reads: number[] = [];
    const watchers = [watcherOn(1), watcherOn(2), watcherOn(3), watcherOn(4)];
    await attachLeasedStates(
      watchers,
      async (assetId) => {
        reads.push(assetId);
        return assetId === 1 ? null : stateOf(assetId, 40);
      },
      100,
    );
    expect(reads).toEqual([1, 2, 3, 4]);
    expect(watchers.map((watcher) => watcher.state?.[0]?.value ?? null)).toEqual([null, 2, 3, null]);

    const after: number[] = [];
    const more = [watcherOn(5), watcherOn(6), watcherOn(7)];
    const readAfter = async (assetId: number) => {
      after.push(assetId);
      return stateOf(assetId, 60);
    };
    await attachLeasedStates(more, readAfter, 100);
    expect(after).toEqual([5, 6]);
    expect(more.map((watcher) => watcher.state?.[0]?.value ?? null)).toEqual([5, null, null]);
  });
});
