import { MAX_LEASED_STATE_CHARS, MAX_LEASED_STATE_KEYS } from '@tidemark/core';
import { describe, expect, it } from 'vitest';
import { WatcherStateCache } from './watcher-state-cache.ts';

describe("a watcher's state cache", () => {
  it('knows keys it read, and every key once it listed them', () => {
    const cache = new WatcherStateCache();
    cache.remember('cursor', { value: 3, version: 5 });
    cache.remember('gone', null);
    expect(cache.get('cursor')).toEqual({ present: true, value: 3, version: 5 });
    expect(cache.get('gone')).toEqual({ present: false, version: 0 });
    expect(cache.get('other')).toBeUndefined();
    expect(cache.keys()).toBeUndefined();

    cache.rememberAll([{ key: 'a', value: 'x', version: 1 }]);
    expect(cache.keys()).toEqual(['a']);
    expect(cache.get('other')).toEqual({ present: false, version: 0 });
  });

  it('moves on with its own commits; an advance that did not move keeps what it knew', () => {
    const cache = new WatcherStateCache();
    cache.rememberAll([{ key: 'cursor', value: 9, version: 4 }]);
    cache.applyCommitted({ key: 'cursor', operation: 'advance', value: 5 }, 0);
    expect(cache.get('cursor')).toEqual({ present: true, value: 9, version: 4 });
    cache.applyCommitted({ key: 'cursor', operation: 'advance', value: 12 }, 5);
    cache.applyCommitted({ key: 'seen', operation: 'set', value: true }, 1);
    cache.applyCommitted({ key: 'cursor', operation: 'delete' }, 0);
    expect(cache.keys()).toEqual(['seen']);
    expect(cache.get('cursor')).toEqual({ present: false, version: 0 });

    cache.clear();
    expect(cache.get('seen')).toBeUndefined();
    expect(cache.keys()).toBeUndefined();
  });

  it('takes the state a lease renewal brought, unless a commit came after the renewal was asked for', () => {
    const cache = new WatcherStateCache();
    cache.remember('cursor', { value: 1, version: 1 });
    const renewed = [{ key: 'cursor', value: 2, version: 2 }];

    cache.renew(renewed, cache.mark());
    expect(cache.get('cursor')).toEqual({ present: true, value: 2, version: 2 });
    expect(cache.get('other')).toEqual({ present: false, version: 0 });
    expect(cache.keys()).toEqual(['cursor']);

    const mark = cache.mark();
    cache.applyCommitted({ key: 'cursor', operation: 'set', value: 3 }, 3);
    cache.renew(renewed, mark);
    expect(cache.get('cursor')).toBeUndefined();

    cache.remember('cursor', { value: 3, version: 3 });
    cache.renew(null, cache.mark());
    expect(cache.get('cursor')).toBeUndefined();
    expect(cache.keys()).toBeUndefined();
  });

  it('offers its state for a poll to read in its process only when it knows every key and they are few and small', () => {
    const cache = new WatcherStateCache();
    cache.remember('cursor', { value: 1, version: 1 });
    expect(cache.known()).toBeNull();

    cache.rememberAll([{ key: 'cursor', value: 1, version: 1 }]);
    cache.applyCommitted({ key: 'gone', operation: 'delete' }, 0);
    expect(cache.known()).toEqual([{ key: 'cursor', value: 1, version: 1 }]);
    cache.applyCommitted({ key: 'cursor', operation: 'set', value: 2 }, 2);
    expect(cache.known()).toEqual([{ key: 'cursor', value: 2, version: 2 }]);

    cache.rememberAll(
      Array.from({ length: MAX_LEASED_STATE_KEYS + 1 }, (_, index) => ({ key: `k${index}`, value: index, version: 1 })),
    );
    expect(cache.known()).toBeNull();
    cache.rememberAll([{ key: 'big', value: 'x'.repeat(MAX_LEASED_STATE_CHARS), version: 1 }]);
    expect(cache.known()).toBeNull();
    cache.rememberAll([]);
    expect(cache.known()).toEqual([]);
    cache.clear();
    expect(cache.known()).toBeNull();
  });
});
