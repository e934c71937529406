// Which items of a checkpointed loop are done, kept compact for thousands of string ids.
//
// The ids are ranked in string order (JavaScript's `<`, UTF-16 code units). Done ranks form runs;
// a run of 3 or more is stored as a range claim `[first, last, count, hash]`: "the `count` ids
// of the list between `first` and `last` are done, and their hashes sum to `hash`". Shorter runs
// are stored as plain ids. Items processed in string order (file names, dates, zero-padded
// numbers) therefore make one range, whatever their number; out-of-order ids cost their length.
// A retry trusts a range only when its ids in the new list have the same count and hash, so a
// list that changed inside a range redoes that range instead of skipping something not done.

/** `[first id, last id, how many ids, sum of their hashes mod 2^32]` */
export type RangeClaim = readonly [string, string, number, number];

/** The part of the stored value that says what is done; `chunks` splits it across keys. */
export interface DoneClaims {
  readonly ranges: readonly RangeClaim[];
  readonly ids: readonly string[];
}

/** A run of done ranks `[start, end)` and the sum of their ids' hashes. */
interface Run {
  start: number;
  end: number;
  hash: number;
}

const MIN_RANGE_LENGTH = 3;

export class DuplicateItemIdError extends Error {
  constructor(
    readonly id: string,
    readonly positions: readonly [number, number],
  ) {
    super(`id ${JSON.stringify(id)} appears twice (items ${positions[0]} and ${positions[1]})`);
  }
}

export class DoneSet {
  readonly size: number;
  /** Ids in string order. */
  readonly #sorted: readonly string[];
  /** Rank of the item at each position; null when the items are already in string order. */
  readonly #rankOf: Int32Array | null;
  readonly #done: Uint8Array;
  readonly #runs: Run[] = [];
  /** Index in #runs of the run last extended: items are usually completed in rank order. */
  #lastRun = -1;
  #count = 0;

  /** `ids[i]` names item `i`; ids must be unique (DuplicateItemIdError). */
  constructor(ids: readonly string[]) {
    this.size = ids.length;
    this.#done = new Uint8Array(ids.length);
    if (isSorted(ids)) {
      this.#sorted = ids;
      this.#rankOf = null;
    } else {
      const order = Array.from(ids.keys()).sort((a, b) => compare(ids[a] as string, ids[b] as string));
      this.#sorted = order.map((position) => ids[position] as string);
      this.#rankOf = new Int32Array(ids.length);
      order.forEach((position, rank) => {
        (this.#rankOf as Int32Array)[position] = rank;
      });
      this.#checkUnique(order);
      return;
    }
    this.#checkUnique(null);
  }

  get count(): number {
    return this.#count;
  }

  isDone(position: number): boolean {
    return this.#done[this.#rank(position)] === 1;
  }

  /** Marks the item at `position` done; O(1) when items complete in string order. */
  markDone(position: number): void {
    this.#markRank(this.#rank(position));
  }

  /** Marks done what stored claims prove done in this list; returns how many items that marked. */
  apply(claims: DoneClaims): number {
    const before = this.#count;
    for (const [first, last, count, hash] of claims.ranges) {
      const from = lowerBound(this.#sorted, first);
      const to = upperBound(this.#sorted, last);
      if (to - from !== count || this.#hashOf(from, to) !== hash) continue;
      for (let rank = from; rank < to; rank++) this.#markRank(rank);
    }
    for (const id of claims.ids) {
      const rank = lowerBound(this.#sorted, id);
      if (this.#sorted[rank] === id) this.#markRank(rank);
    }
    return this.#count - before;
  }

  /** The done set as range claims and plain ids, both in string order. */
  claims(): DoneClaims {
    const ranges: RangeClaim[] = [];
    const ids: string[] = [];
    for (const run of this.#runs) {
      if (run.end - run.start >= MIN_RANGE_LENGTH) {
        ranges.push([
          this.#sorted[run.start] as string,
          this.#sorted[run.end - 1] as string,
          run.end - run.start,
          run.hash,
        ]);
      } else {
        for (let rank = run.start; rank < run.end; rank++) ids.push(this.#sorted[rank] as string);
      }
    }
    return { ranges, ids };
  }

  #rank(position: number): number {
    return this.#rankOf === null ? position : (this.#rankOf[position] as number);
  }

  #markRank(rank: number): void {
    if (this.#done[rank] === 1) return;
    this.#done[rank] = 1;
    this.#count++;
    const hash = hashId(this.#sorted[rank] as string);
    const last = this.#runs[this.#lastRun];
    if (last !== undefined && last.end === rank) {
      const next = this.#runs[this.#lastRun + 1];
      if (next === undefined || next.start !== rank + 1) {
        last.end = rank + 1;
        last.hash = (last.hash + hash) >>> 0;
        return;
      }
    }
    this.#insert(rank, hash);
  }

  /** The general case: joins the runs ending just before and starting just after `rank`, if any. */
  #insert(rank: number, hash: number): void {
    const runs = this.#runs;
    let low = 0;
    let high = runs.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((runs[middle] as Run).start <= rank) low = middle + 1;
      else high = middle;
    }
    const before = runs[low - 1];
    const after = runs[low];
    const joinsBefore = before !== undefined && before.end === rank;
    const joinsAfter = after !== undefined && after.start === rank + 1;
    if (joinsBefore && joinsAfter) {
      before.end = after.end;
      before.hash = (before.hash + hash + after.hash) >>> 0;
      runs.splice(low, 1);
      this.#lastRun = low - 1;
    } else if (joinsBefore) {
      before.end = rank + 1;
      before.hash = (before.hash + hash) >>> 0;
      this.#lastRun = low - 1;
    } else if (joinsAfter) {
      after.start = rank;
      after.hash = (after.hash + hash) >>> 0;
      this.#lastRun = low;
    } else {
      runs.splice(low, 0, { start: rank, end: rank + 1, hash });
      this.#lastRun = low;
    }
  }

  #hashOf(from: number, to: number): number {
    let sum = 0;
    for (let rank = from; rank < to; rank++) sum = (sum + hashId(this.#sorted[rank] as string)) >>> 0;
    return sum;
  }

  #checkUnique(order: readonly number[] | null): void {
    for (let rank = 1; rank < this.#sorted.length; rank++) {
      if (this.#sorted[rank] !== this.#sorted[rank - 1]) continue;
      const positions: [number, number] =
        order === null ? [rank - 1, rank] : [order[rank - 1] as number, order[rank] as number];
      positions.sort((a, b) => a - b);
      throw new DuplicateItemIdError(this.#sorted[rank] as string, positions);
    }
  }
}

/** FNV-1a over UTF-16 code units: cheap, and good enough to notice a changed list. */
export function hashId(id: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    hash ^= id.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function isSorted(ids: readonly string[]): boolean {
  for (let i = 1; i < ids.length; i++) if ((ids[i - 1] as string) > (ids[i] as string)) return false;
  return true;
}

/** First rank whose id is ≥ `id`. */
function lowerBound(sorted: readonly string[], id: string): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((sorted[middle] as string) < id) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** First rank whose id is > `id`. */
function upperBound(sorted: readonly string[], id: string): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((sorted[middle] as string) <= id) low = middle + 1;
    else high = middle;
  }
  return low;
}
