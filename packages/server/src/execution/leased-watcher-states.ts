import {
  assetScope,
  type LeasedWatcher,
  MAX_LEASED_STATE_CHARS,
  MAX_LEASED_STATE_KEYS,
  type StateBackend,
  type WatcherStateEntry,
} from '@tidemark/core';

/**
 * The most characters of state one lease response carries in all: the watchers past it get null
 * (their triggerer reads their state key by key), so that a triggerer holding many watchers with
 * large states gets its renewal in time.
 */
export const MAX_LEASE_RESPONSE_STATE_CHARS = 1_048_576;

/** An asset's state as a lease carries it, with the characters of its JSON; null: it does not. */
export type LeasedState = { readonly entries: WatcherStateEntry[]; readonly chars: number } | null;

/**
 * Gives each watcher its asset's state (`state`), read once per asset, in the order of the
 * watchers, until `budgetChars` are spent; every watcher after that gets null without a read.
 */
export async function attachLeasedStates(
  watchers: LeasedWatcher[],
  readState: (assetId: number) => Promise<LeasedState>,
  budgetChars = MAX_LEASE_RESPONSE_STATE_CHARS,
): Promise<void> {
  const read = new Map<number, LeasedState>();
  let spent = 0;
  for (const watcher of watchers) {
    const assetId = watcher.asset.id;
    if (!read.has(assetId)) {
      const state = spent < budgetChars ? await readState(assetId) : null;
      const fits = state !== null && spent + state.chars <= budgetChars;
      if (state !== null) spent += state.chars;
      read.set(assetId, fits ? state : null);
    }
    watcher.state = read.get(assetId)?.entries ?? null;
  }
}

/**
 * The asset's whole state through the configured backend, as the watcher state route reads it; null
 * when it is larger than MAX_LEASED_STATE_KEYS keys or MAX_LEASED_STATE_CHARS characters of JSON, or
 * cannot be read now: the watcher then reads it key by key, and only its own polls meet the error.
 */
export async function readLeasedState(backend: StateBackend, assetId: number): Promise<LeasedState> {
  const page = await backend.list(assetScope(assetId), { limit: MAX_LEASED_STATE_KEYS }).catch(() => undefined);
  if (page === undefined || page.total > MAX_LEASED_STATE_KEYS) return null;
  const entries = page.entries.map(({ key, value, version }) => ({ key, value, version }));
  const chars = JSON.stringify(entries).length;
  return chars > MAX_LEASED_STATE_CHARS ? null : { entries, chars };
}
