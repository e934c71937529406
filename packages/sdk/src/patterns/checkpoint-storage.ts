import { type StateValue, ValueTooLargeError } from '@tidemark/core/task-process';
import type { StateRetention } from '../context/state-accessor-core.ts';
import type { TaskLogger } from '../context/task-logger.ts';
import type { TaskStateAccessor } from '../context/task-state-accessor.ts';
import { PatternOptionError } from '../errors.ts';
import type { DoneClaims, RangeClaim } from './checkpoint-progress.ts';
import { shown } from './pattern-options.ts';

/**
 * The value under the checkpoint's key. `done`/`total` are what the UI draws a progress bar from;
 * when the claims don't fit one value, the rest is in `<key>/1` … `<key>/<chunks>`.
 */
export interface StoredProgress {
  readonly format: typeof PROGRESS_FORMAT;
  readonly done: number;
  readonly total: number;
  readonly ranges?: RangeClaim[];
  readonly ids?: string[];
  readonly chunks?: number;
}

interface StoredChunk {
  readonly ranges?: RangeClaim[];
  readonly ids?: string[];
}

export const PROGRESS_FORMAT = 'tidemark.checkpoint/1';

/** Bytes of JSON per key: below the server's default `state.max_value_bytes` (65 536) with room to spare. */
export const DEFAULT_CHUNK_BYTES = 48 * 1024;
/** Room for the head's other fields and the wrapping of a chunk. */
const ENVELOPE_BYTES = 256;
const MIN_CHUNK_BYTES = 1024;

export interface ProgressSnapshot {
  readonly done: number;
  readonly total: number;
  readonly claims: DoneClaims;
}

/** Reads and writes one checkpoint's progress, splitting it over chunk keys when it is large. */
export class ProgressStorage {
  readonly #state: TaskStateAccessor;
  readonly #key: string;
  readonly #retention: StateRetention | undefined;
  readonly #log: TaskLogger;
  readonly #where: string;
  #chunkBytes: number;
  /** JSON last written to each chunk index (0 = the head); unchanged chunks are not written again. */
  #written = new Map<number, string>();
  /** Chunk keys that may exist beyond the current split, to delete when it shrinks. */
  #chunksStored = 0;

  constructor(options: {
    state: TaskStateAccessor;
    key: string;
    retention: StateRetention | undefined;
    log: TaskLogger;
    where: string;
    chunkBytes?: number;
  }) {
    this.#state = options.state;
    this.#key = options.key;
    this.#retention = options.retention;
    this.#log = options.log;
    this.#where = options.where;
    this.#chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
  }

  async read(): Promise<DoneClaims | undefined> {
    const head = await this.#state.get<StateValue>(this.#key);
    if (head === undefined) return undefined;
    if (!isStoredProgress(head)) {
      throw new PatternOptionError(
        `${this.#where}: task-state key "${this.#key}" holds ${shown(head)}, not checkpoint progress; ` +
          'use another key, or delete this one if it is left over',
      );
    }
    const chunkCount = Number.isSafeInteger(head.chunks) ? (head.chunks as number) : 0;
    this.#chunksStored = chunkCount;
    const chunks = await Promise.all(
      Array.from({ length: chunkCount }, (_, index) => this.#state.get<StateValue>(chunkKey(this.#key, index + 1))),
    );
    const ranges: RangeClaim[] = [...validRanges(head.ranges)];
    const ids: string[] = [...validIds(head.ids)];
    for (const chunk of chunks) {
      if (typeof chunk !== 'object' || chunk === null || Array.isArray(chunk)) continue;
      ranges.push(...validRanges((chunk as StoredChunk).ranges));
      ids.push(...validIds((chunk as StoredChunk).ids));
    }
    return { ranges, ids };
  }

  /** Writes chunks first and the head last: any mix of old and new chunks only claims done items. */
  async write(snapshot: ProgressSnapshot): Promise<void> {
    for (;;) {
      try {
        await this.#writeSplit(snapshot);
        return;
      } catch (error) {
        if (!(error instanceof ValueTooLargeError)) throw error;
        this.#shrinkChunks(error);
      }
    }
  }

  async #writeSplit(snapshot: ProgressSnapshot): Promise<void> {
    const parts = this.#split(snapshot.claims);
    const head: StoredProgress = {
      format: PROGRESS_FORMAT,
      done: snapshot.done,
      total: snapshot.total,
      ...partFields(parts[0] as StoredChunk),
      ...(parts.length > 1 ? { chunks: parts.length - 1 } : {}),
    };
    for (let index = 1; index < parts.length; index++) {
      await this.#writeIfChanged(index, partFields(parts[index] as StoredChunk));
    }
    await this.#writeIfChanged(0, head);
    await this.#deleteChunksFrom(parts.length);
  }

  async #writeIfChanged(index: number, value: StoredProgress | StoredChunk): Promise<void> {
    const json = JSON.stringify(value);
    if (this.#written.get(index) === json) return;
    const key = index === 0 ? this.#key : chunkKey(this.#key, index);
    const options = this.#retention === undefined ? {} : { retention: this.#retention };
    await this.#state.set(key, value as unknown as StateValue, options);
    this.#written.set(index, json);
    if (index > this.#chunksStored) this.#chunksStored = index;
  }

  async #deleteChunksFrom(count: number): Promise<void> {
    for (let index = this.#chunksStored; index >= count; index--) {
      if (index === 0) break;
      await this.#state.delete(chunkKey(this.#key, index));
      this.#written.delete(index);
    }
    this.#chunksStored = Math.min(this.#chunksStored, Math.max(count - 1, 0));
  }

  /** Packs range claims, then ids, into parts of at most #chunkBytes of JSON each. */
  #split(claims: DoneClaims): StoredChunk[] {
    const whole: StoredChunk = { ranges: [...claims.ranges], ids: [...claims.ids] };
    if (Buffer.byteLength(JSON.stringify(whole)) + ENVELOPE_BYTES <= this.#chunkBytes) return [whole];
    const budget = this.#chunkBytes - ENVELOPE_BYTES;
    const parts: { ranges: RangeClaim[]; ids: string[] }[] = [];
    let current = { ranges: [] as RangeClaim[], ids: [] as string[] };
    let used = 0;
    const place = (bytes: number, add: (part: typeof current) => void) => {
      if (bytes > budget) {
        throw new PatternOptionError(
          `${this.#where}: an item id of ${bytes} bytes does not fit a state value of ${this.#chunkBytes} bytes; use shorter ids`,
        );
      }
      if (used + bytes > budget) {
        parts.push(current);
        current = { ranges: [], ids: [] };
        used = 0;
      }
      add(current);
      used += bytes;
    };
    for (const range of claims.ranges)
      place(Buffer.byteLength(JSON.stringify(range)) + 1, (part) => part.ranges.push(range));
    for (const id of claims.ids) place(Buffer.byteLength(JSON.stringify(id)) + 1, (part) => part.ids.push(id));
    parts.push(current);
    return parts;
  }

  /** The server's limit is lower than the chunk size: split into smaller chunks and write again. */
  #shrinkChunks(error: ValueTooLargeError): void {
    const limit = error.limitBytes > 0 ? error.limitBytes : this.#chunkBytes;
    const smaller = Math.floor(Math.min(limit, this.#chunkBytes) * 0.75);
    if (smaller < MIN_CHUNK_BYTES) {
      throw new PatternOptionError(
        `${this.#where}: the server refuses checkpoint values of ${this.#chunkBytes} bytes and its limit ` +
          `(state.max_value_bytes = ${error.limitBytes}) is too small to split progress into chunks of at least ` +
          `${MIN_CHUNK_BYTES} bytes; raise state.max_value_bytes`,
      );
    }
    this.#log.warn(
      `${this.#where}: the server refused ${this.#chunkBytes} bytes (state.max_value_bytes = ${error.limitBytes}); ` +
        `writing progress in chunks of ${smaller} bytes`,
    );
    this.#chunkBytes = smaller;
    this.#written.clear();
  }
}

export function chunkKey(key: string, index: number): string {
  return `${key}/${index}`;
}

function partFields(part: StoredChunk): StoredChunk {
  return {
    ...(part.ranges && part.ranges.length > 0 ? { ranges: part.ranges } : {}),
    ...(part.ids && part.ids.length > 0 ? { ids: part.ids } : {}),
  };
}

function isStoredProgress(value: StateValue): value is StoredProgress & StateValue {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    (value as { format?: unknown }).format === PROGRESS_FORMAT
  );
}

function validRanges(value: unknown): RangeClaim[] {
  if (!Array.isArray(value)) return [];
  return value.filter(
    (range): range is RangeClaim =>
      Array.isArray(range) &&
      range.length === 4 &&
      typeof range[0] === 'string' &&
      typeof range[1] === 'string' &&
      Number.isSafeInteger(range[2]) &&
      Number.isSafeInteger(range[3]),
  );
}

function validIds(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((id): id is string => typeof id === 'string') : [];
}
