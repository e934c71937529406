import type { StateRetention } from '../context/state-accessor-core.ts';
import type { TaskContext } from '../context/task-context.ts';
import { countTaskMetric } from '../context/task-metrics.ts';
import { PatternOptionError } from '../errors.ts';
import { DoneSet, DuplicateItemIdError } from './checkpoint-progress.ts';
import { ProgressStorage } from './checkpoint-storage.ts';
import {
  checkContext,
  checkFunction,
  checkHelperKey,
  checkOptionsObject,
  positiveDurationMs,
  positiveWholeNumber,
  shown,
} from './pattern-options.ts';

export interface CheckpointOptions {
  /** Task-state key of the progress; `<key>/1`, `<key>/2`, … hold the rest when it is large. */
  readonly key: string;
  /** Write progress at most once per window: after `items` more items or `ms` milliseconds, whichever comes first. */
  readonly every: { readonly items?: number; readonly ms?: number | string };
  /** Retention of the progress keys (default `state.default_retention`). */
  readonly retention?: StateRetention;
}

export interface CheckpointOverOptions<T> {
  /** Names each item with a unique string; optional when the items are strings. */
  readonly id?: (item: T) => string;
}

/** Progress through a list of items that survives the task's retries (SPEC §1.3). */
export interface Checkpoint {
  readonly key: string;
  /** Items of the list done, by this try or earlier ones. */
  readonly done: number;
  /** Items in the list; undefined before `over` has read it. */
  readonly total: number | undefined;
  /** Items skipped because earlier tries did them. */
  readonly skipped: number;
  /**
   * Yields the items not done yet, in order. An item is done once the loop body for it completes
   * (a `continue` completes it; a `break` or a throw does not). Progress is written in the
   * background once per window and always before the loop ends: on return, throw, break, and
   * when `ctx.signal` aborts (SIGTERM, execution timeout), after which the loop throws the
   * signal's reason.
   */
  over<T>(items: Iterable<T> | AsyncIterable<T>, options?: CheckpointOverOptions<T>): AsyncIterable<T>;
  /** Writes the progress now, if anything changed since the last write. */
  flush(): Promise<void>;
}

/** Longest time the loop runs without letting the event loop turn (IPC answers, SIGTERM). */
const YIELD_EVERY_MS = 10;

export function checkpoint(ctx: TaskContext, options: CheckpointOptions): Checkpoint {
  checkContext('checkpoint(ctx, options)', ctx);
  const where = `checkpoint(${shown(typeof options?.key === 'string' ? options.key : '?')})`;
  checkOptionsObject(where, options, ['key', 'every', 'retention']);
  const key = checkHelperKey(where, options.key, 12);
  const window = checkWindow(where, options.every);
  const storage = new ProgressStorage({
    state: ctx.taskState,
    key,
    retention: options.retention,
    log: ctx.log,
    where,
  });
  return new CheckpointLoop(ctx, key, where, window, storage);
}

interface FlushWindow {
  readonly items: number;
  readonly ms: number;
}

function checkWindow(where: string, every: unknown): FlushWindow {
  const usage = 'every must say how often to write progress: { items: 100 }, { ms: 2000 } (or "2s"), or both';
  if (typeof every !== 'object' || every === null || Array.isArray(every)) {
    throw new PatternOptionError(`${where}: ${usage}; got ${shown(every)}`);
  }
  checkOptionsObject(`${where}: every`, every, ['items', 'ms']);
  const { items, ms } = every as { items?: unknown; ms?: unknown };
  if (items === undefined && ms === undefined) throw new PatternOptionError(`${where}: ${usage}; got {}`);
  return {
    items: items === undefined ? Number.POSITIVE_INFINITY : positiveWholeNumber(where, 'every.items', items),
    ms: ms === undefined ? Number.POSITIVE_INFINITY : positiveDurationMs(where, 'every.ms', ms),
  };
}

class CheckpointLoop implements Checkpoint {
  readonly key: string;
  readonly #ctx: TaskContext;
  readonly #where: string;
  readonly #window: FlushWindow;
  readonly #storage: ProgressStorage;
  #set: DoneSet | undefined;
  #skipped = 0;
  #started = false;
  /** Items done since the last snapshot was taken for a write. */
  #unsaved = 0;
  #lastWriteAt = 0;
  #writing: Promise<void> | undefined;
  #writeAgain = false;

  constructor(ctx: TaskContext, key: string, where: string, window: FlushWindow, storage: ProgressStorage) {
    this.key = key;
    this.#ctx = ctx;
    this.#where = where;
    this.#window = window;
    this.#storage = storage;
  }

  get done(): number {
    return this.#set?.count ?? 0;
  }

  get total(): number | undefined {
    return this.#set?.size;
  }

  get skipped(): number {
    return this.#skipped;
  }

  over<T>(items: Iterable<T> | AsyncIterable<T>, options: CheckpointOverOptions<T> = {}): AsyncIterable<T> {
    checkOptionsObject(`${this.#where}.over(items, options)`, options, ['id']);
    checkFunction(`${this.#where}.over`, 'id', options.id, false);
    if (!isIterable(items)) {
      throw new PatternOptionError(
        `${this.#where}.over takes an array or another iterable of items, got ${shown(items)}`,
      );
    }
    if (this.#started) {
      throw new PatternOptionError(`${this.#where}.over was called twice; use one checkpoint (one key) per loop`);
    }
    this.#started = true;
    let iterated = false;
    return {
      [Symbol.asyncIterator]: () => {
        if (iterated) throw new PatternOptionError(`${this.#where}.over(...) can be iterated once`);
        iterated = true;
        return this.#iterate(items, options.id);
      },
    };
  }

  async flush(): Promise<void> {
    while (this.#writing !== undefined) await this.#writing;
    if (this.#set === undefined || this.#unsaved === 0) return;
    // One write at a time: a background write requested meanwhile waits for this one.
    const write = this.#write();
    const settled = write.then(
      () => undefined,
      () => undefined,
    );
    this.#writing = settled;
    void settled.then(() => {
      if (this.#writing === settled) this.#writing = undefined;
    });
    await write;
  }

  #iterate<T>(source: Iterable<T> | AsyncIterable<T>, id: ((item: T) => string) | undefined): AsyncIterator<T> {
    const signal = this.#ctx.signal;
    const onAbort = () => this.#requestWrite();
    let items: T[] | undefined;
    let set: DoneSet;
    let cursor = -1;
    let current = -1;
    let lastYieldAt = performance.now();
    const finish = async (): Promise<void> => {
      signal.removeEventListener('abort', onAbort);
      await this.flush();
    };
    /** The loop ends with an error of its own: a failed last write is logged, not thrown over it. */
    const finishQuietly = () =>
      finish().catch((error: unknown) =>
        this.#ctx.log.error(`${this.#where}: could not write the last progress`, { error }),
      );
    const stopIfAborted = async (): Promise<void> => {
      if (!signal.aborted) return;
      await finishQuietly();
      throw signal.reason;
    };
    return {
      next: async (): Promise<IteratorResult<T>> => {
        if (items === undefined) {
          items = await collect(source);
          set = await this.#load(items, id);
          signal.addEventListener('abort', onAbort, { once: true });
        }
        if (current >= 0) {
          set.markDone(current);
          current = -1;
          this.#unsaved++;
        }
        if (signal.aborted) await stopIfAborted();
        const now = performance.now();
        if (this.#unsaved >= this.#window.items || (this.#unsaved > 0 && now - this.#lastWriteAt >= this.#window.ms)) {
          this.#requestWrite();
        }
        if (now - lastYieldAt >= YIELD_EVERY_MS) {
          await new Promise(setImmediate);
          lastYieldAt = performance.now();
          if (signal.aborted) await stopIfAborted();
        }
        while (++cursor < items.length && set.isDone(cursor)) {}
        if (cursor >= items.length) {
          await finish();
          return { done: true, value: undefined };
        }
        current = cursor;
        return { done: false, value: items[cursor] as T };
      },
      return: async (): Promise<IteratorResult<T>> => {
        current = -1;
        if (items !== undefined) await finishQuietly();
        return { done: true, value: undefined };
      },
    };
  }

  async #load<T>(items: T[], id: ((item: T) => string) | undefined): Promise<DoneSet> {
    const ids = items.map((item, position) => idOf(this.#where, item, position, id));
    let set: DoneSet;
    try {
      set = new DoneSet(ids);
    } catch (error) {
      if (!(error instanceof DuplicateItemIdError)) throw error;
      throw new PatternOptionError(`${this.#where}: item ids must be unique, but ${error.message}`);
    }
    const claims = await this.#storage.read();
    if (claims !== undefined) this.#skipped = set.apply(claims);
    this.#set = set;
    this.#requestWrite();
    if (this.#skipped > 0) {
      this.#ctx.log.info(
        `${this.#where}: ${this.#skipped} of ${set.size} items were done by earlier tries; skipping them`,
        { key: this.key, skipped: this.#skipped, total: set.size },
      );
    }
    return set;
  }

  /** Starts a background write, or asks the running one to write again when it is done. */
  #requestWrite(): void {
    if (this.#set === undefined) return;
    if (this.#writing !== undefined) {
      this.#writeAgain = true;
      return;
    }
    this.#writing = this.#writeInBackground();
  }

  /** Never rejects: a failed background write is logged, and the next window writes again. */
  async #writeInBackground(): Promise<void> {
    try {
      do {
        this.#writeAgain = false;
        await this.#write().catch((error: unknown) =>
          this.#ctx.log.warn(`${this.#where}: could not write progress; trying again at the next window`, {
            error,
          }),
        );
      } while (this.#writeAgain && this.#unsaved > 0);
    } finally {
      this.#writing = undefined;
    }
  }

  async #write(): Promise<void> {
    const set = this.#set as DoneSet;
    const unsaved = this.#unsaved;
    this.#unsaved = 0;
    this.#lastWriteAt = performance.now();
    try {
      await this.#storage.write({ done: set.count, total: set.size, claims: set.claims() });
      countTaskMetric(this.#ctx, { name: 'checkpoint_progress_write' });
    } catch (error) {
      this.#unsaved += unsaved;
      throw error;
    }
  }
}

function idOf<T>(where: string, item: T, position: number, id: ((item: T) => string) | undefined): string {
  const value = id === undefined ? item : id(item);
  if (typeof value === 'string' && value !== '') return value;
  throw new PatternOptionError(
    id === undefined
      ? `${where}: item ${position} is ${shown(value)}, not a string; ` +
          'name each item with over(items, { id: (item) => string })'
      : `${where}: the id function returned ${shown(value)} for item ${position}; it must return a non-empty string`,
  );
}

function isIterable(value: unknown): value is Iterable<unknown> | AsyncIterable<unknown> {
  if (value === null || value === undefined || typeof value === 'string') return false;
  return (
    typeof (value as Iterable<unknown>)[Symbol.iterator] === 'function' ||
    typeof (value as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function'
  );
}

async function collect<T>(source: Iterable<T> | AsyncIterable<T>): Promise<T[]> {
  if (Array.isArray(source)) return source;
  const items: T[] = [];
  for await (const item of source) items.push(item);
  return items;
}
