import { describe, expect, it } from 'vitest';
import { DoneSet, DuplicateItemIdError } from './checkpoint-progress.ts';
import { checkpointIds } from './fixtures/patterns-dag.ts';

function doneSetWith(ids: readonly string[], done: Iterable<number>): DoneSet {
  const set = new DoneSet(ids);
  for (const position of done) set.markDone(position);
  return set;
}

describe('DoneSet', () => {
  it('stores 10,000 ordered string ids done in order as one range of a few dozen bytes', () => {
    const ids = checkpointIds(10_000);
    const set = doneSetWith(ids, ids.keys());
    const claims = set.claims();
    expect(claims.ids).toEqual([]);
    expect(claims.ranges).toHaveLength(1);
    expect(claims.ranges[0]?.slice(0, 3)).toEqual(['item-00000', 'item-09999', 10_000]);
    expect(JSON.stringify(claims).length).toBeLessThan(80);
  });

  it('keeps ranges for runs of 3 or more and plain ids for shorter runs', () => {
    const ids = checkpointIds(20);
    const set = doneSetWith(ids, [0, 1, 2, 3, 5, 7, 8, 10, 11, 12]);
    const { ranges, ids: plain } = set.claims();
    expect(ranges.map((range) => range.slice(0, 3))).toEqual([
      ['item-00000', 'item-00003', 4],
      ['item-00010', 'item-00012', 3],
    ]);
    expect(plain).toEqual(['item-00005', 'item-00007', 'item-00008']);
    expect(set.count).toBe(10);
  });

  it('joins runs when the gap between them is filled, in any order', () => {
    const ids = checkpointIds(9);
    const set = doneSetWith(ids, [8, 0, 4, 2, 6, 1, 3, 7, 5]);
    expect(set.claims()).toEqual({ ranges: [['item-00000', 'item-00008', 9, expect.any(Number)]], ids: [] });
  });

  it('ranks ids in string order whatever the list order, so a shuffled list still makes ranges', () => {
    const shuffled = checkpointIds(1_000, 'item-', true);
    const set = new DoneSet(shuffled);
    shuffled.forEach((id, position) => {
      if (id < 'item-00500') set.markDone(position);
    });
    expect(set.claims().ranges.map((range) => range.slice(0, 3))).toEqual([['item-00000', 'item-00499', 500]]);
  });

  it('applies claims to a new list: same ids in another order, and a list that changed inside a range', () => {
    const ids = checkpointIds(100);
    const claims = doneSetWith(ids, [...Array(50).keys(), 60, 61, 70]).claims();

    const reordered = new DoneSet([...ids].reverse());
    expect(reordered.apply(claims)).toBe(53);
    expect(reordered.isDone(99)).toBe(true); // item-00000
    expect(reordered.isDone(99 - 60)).toBe(true);
    expect(reordered.isDone(99 - 50)).toBe(false);

    const grown = new DoneSet([...ids, 'item-00010x'].sort());
    expect(grown.apply(claims)).toBe(3); // the range 0–49 gained an id: redone, not trusted
    const swapped = new DoneSet(ids.map((id) => (id === 'item-00020' ? 'item-00020b' : id)));
    expect(swapped.apply(claims)).toBe(3); // same count, different ids: the hash tells
  });

  it('refuses duplicate ids, naming both positions', () => {
    expect(() => new DoneSet(['a', 'b', 'a'])).toThrow(DuplicateItemIdError);
    expect(() => new DoneSet(['b', 'a', 'c', 'a'])).toThrow('id "a" appears twice (items 1 and 3)');
  });
});
