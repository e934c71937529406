import type { JsonValue } from '@tidemark/core/task-process';
import { describe, expect, it } from 'vitest';
import { createWatcherAssetState } from './watcher-asset-state.ts';

function stateOver(stored: Record<string, JsonValue>) {
  const reads: string[] = [];
  const staged = createWatcherAssetState(
    { name: 'inbox', uri: 'inbox' },
    {
      get: async (key) => {
        reads.push(key);
        return key in stored ? { value: stored[key] as JsonValue, version: 3 } : null;
      },
      keys: async () => Object.keys(stored),
    },
  );
  return { ...staged, reads };
}

describe("a watcher's asset state", () => {
  it('stages one change per key, in the order keys were first staged, and clears them when taken', async () => {
    const { accessor, take } = stateOver({ cursor: 5 });
    accessor.set('seen', ['a']);
    accessor.advance('cursor', 7);
    accessor.advance('cursor', 6);
    accessor.delete('gone');
    accessor.set('seen', ['a', 'b']);
    expect(take()).toEqual([
      { key: 'cursor', operation: 'advance', value: 7 },
      { key: 'gone', operation: 'delete' },
      { key: 'seen', operation: 'set', value: ['a', 'b'] },
    ]);
    expect(take()).toEqual([]);
  });

  it('turns an advance after a set or delete into a set of the result', () => {
    const { accessor, take } = stateOver({});
    accessor.set('a', 10);
    accessor.advance('a', 4);
    accessor.delete('b');
    accessor.advance('b', 'x');
    expect(take()).toEqual([
      { key: 'a', operation: 'set', value: 10 },
      { key: 'b', operation: 'set', value: 'x' },
    ]);
  });

  it('reads what the poll staged, and the stored value otherwise', async () => {
    const { accessor, reads } = stateOver({ cursor: 5, old: true, other: 1 });
    accessor.set('fresh', 1);
    accessor.delete('old');
    accessor.advance('cursor', 4);
    expect(await accessor.get('fresh')).toBe(1);
    expect(await accessor.get('old', 'none')).toBe('none');
    expect(await accessor.get('cursor')).toBe(5);
    expect(await accessor.get('other')).toBe(1);
    expect(await accessor.get('absent')).toBeUndefined();
    expect(reads).toEqual(['cursor', 'other', 'absent']);
    expect(await accessor.keys()).toEqual(['cursor', 'other', 'fresh']);
  });

  it('refuses what the state store would refuse, when it is staged', () => {
    const { accessor } = stateOver({});
    expect(() => accessor.set('', 1)).toThrow(/state key/);
    expect(() => accessor.set('k', null as never)).toThrow();
    expect(() => accessor.advance('k', { at: 1 } as never)).toThrow(
      'advance on state key "k" takes a number or a string, got a Object',
    );
    accessor.set('n', 1);
    expect(() => accessor.advance('n', 'x')).toThrow(/advance/);
  });
});
