import {
  type JsonValue,
  type KnownStateEntry,
  MAX_LEASED_STATE_CHARS,
  MAX_LEASED_STATE_KEYS,
  type StagedStateChange,
} from '@tidemark/core';

/** A key as last read or written: its value and version, or absent (version 0). */
export type CachedEntry =
  | { readonly present: true; readonly value: JsonValue; readonly version: number }
  | { readonly present: false; readonly version: 0 };

/** Every key of a state, as the api-server lists it. */
export type ListedState = readonly KnownStateEntry[];

const ABSENT: CachedEntry = Object.freeze({ present: false, version: 0 });

/**
 * What a triggerer knows of one watcher's asset state between polls, so that a watcher that finds
 * nothing new does not ask the api-server every poll. Replaced at each lease renewal by the state
 * the renewal brought, or dropped when it brought none (other writers, such as tasks, may have
 * changed the state since); dropped after a 412; updated from the triggerer's own commits. A stale
 * entry costs one refused commit (412), never a wrong one: commits carry the version each key was
 * read at.
 */
export class WatcherStateCache {
  readonly #entries = new Map<string, CachedEntry>();
  /** True once every key was listed: a key not in the map is then absent. */
  #complete = false;
  /** How many commits were applied: a renewal's state is older than any commit applied after it was asked for. */
  #commits = 0;
  /** What `known` answers until the next change; undefined: not worked out yet. */
  #known: ListedState | null | undefined;

  /**
   * Every key and value, when all are known and they are as few and small as a lease renewal
   * brings (MAX_LEASED_STATE_KEYS / _CHARS): sent with a poll, so that it reads them in its own
   * process. Else null.
   */
  known(): ListedState | null {
    if (this.#known === undefined) this.#known = this.#workOutKnown();
    return this.#known;
  }

  #workOutKnown(): ListedState | null {
    if (!this.#complete) return null;
    const entries = [...this.#entries].flatMap(([key, entry]) =>
      entry.present ? [{ key, value: entry.value, version: entry.version }] : [],
    );
    if (entries.length > MAX_LEASED_STATE_KEYS || JSON.stringify(entries).length > MAX_LEASED_STATE_CHARS) return null;
    return entries;
  }

  get(key: string): CachedEntry | undefined {
    return this.#entries.get(key) ?? (this.#complete ? ABSENT : undefined);
  }

  /** The keys present, when every key is known. */
  keys(): string[] | undefined {
    if (!this.#complete) return undefined;
    return [...this.#entries].flatMap(([key, entry]) => (entry.present ? [key] : []));
  }

  remember(key: string, entry: { readonly value: JsonValue; readonly version: number } | null): CachedEntry {
    const cached: CachedEntry = entry === null ? ABSENT : { present: true, value: entry.value, version: entry.version };
    this.#entries.set(key, cached);
    this.#known = undefined;
    return cached;
  }

  /** Every key of the state, as listed. */
  rememberAll(entries: ListedState): void {
    this.#entries.clear();
    this.#known = undefined;
    for (const entry of entries)
      this.#entries.set(entry.key, { present: true, value: entry.value, version: entry.version });
    this.#complete = true;
  }

  /**
   * Applies a committed change with the version the server returned. An advance that did not move
   * (version 0) leaves what is known of the key as it was: the stored value is larger.
   */
  applyCommitted(change: StagedStateChange, version: number): void {
    this.#commits++;
    this.#known = undefined;
    if (change.operation === 'delete') this.#entries.set(change.key, ABSENT);
    else if (version > 0) this.#entries.set(change.key, { present: true, value: change.value, version });
    else if (change.operation === 'set') this.#entries.delete(change.key);
  }

  /** A mark to pass to `renew` with the state a lease renewal asked for now brings. */
  mark(): number {
    return this.#commits;
  }

  /**
   * Takes the state a lease renewal brought (every key, as listed), or, when it brought none or a
   * commit was applied since the renewal was asked for (`mark`), forgets what it knew.
   */
  renew(entries: ListedState | null | undefined, mark: number): void {
    if (entries && mark === this.#commits) this.rememberAll(entries);
    else this.clear();
  }

  clear(): void {
    this.#entries.clear();
    this.#known = undefined;
    this.#complete = false;
  }
}
