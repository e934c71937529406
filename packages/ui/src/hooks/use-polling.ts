import { type QueryKey, type UseQueryOptions, useQuery } from '@tanstack/react-query';
import { isNotFound } from '../api/http.ts';

export interface Polled<T> {
  readonly data: T | undefined;
  readonly error: Error | undefined;
  /** Fetch again now (after a write). */
  readonly reload: () => void;
}

/**
 * A query (api/queries.ts) kept fresh: fetched when its key is first used, then again every
 * `intervalMs` while that is a number (null: when the page asks, after a write). TanStack Query
 * shares it between the views that show it, never overlaps two fetches of it, and drops it from
 * the cache a while after the last view closed. A 404 stops the polling.
 */
export function usePolling<T, K extends QueryKey>(
  options: UseQueryOptions<T, Error, T, K>,
  intervalMs: number | null,
): Polled<T> {
  const query = useQuery({
    ...options,
    // What does not exist is not asked for again and again (reload() still can).
    refetchInterval: (current) => (intervalMs === null || isNotFound(current.state.error) ? false : intervalMs),
  });
  return { data: query.data, error: query.error ?? undefined, reload: () => void query.refetch() };
}
