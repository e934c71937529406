import { type QueryKey, type UseQueryOptions, useQuery } from '@tanstack/react-query';

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
 * the cache a while after the last view closed.
 */
export function usePolling<T, K extends QueryKey>(
  options: UseQueryOptions<T, Error, T, K>,
  intervalMs: number | null,
): Polled<T> {
  const query = useQuery({ ...options, refetchInterval: intervalMs ?? false });
  return { data: query.data, error: query.error ?? undefined, reload: () => void query.refetch() };
}
