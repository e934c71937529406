import { useCallback, useEffect, useRef, useState } from 'react';

export interface Polled<T> {
  readonly data: T | undefined;
  readonly error: Error | undefined;
  /** Fetch again now (after a write). */
  readonly reload: () => void;
}

/**
 * Loads `fetcher()` when `key` changes (it names what is fetched), then again every `intervalMs`
 * while that is a number (null: load once). A load never overlaps the previous one, and an answer
 * for an older key is dropped.
 */
export function usePolling<T>(fetcher: () => Promise<T>, key: string, intervalMs: number | null): Polled<T> {
  const [result, setResult] = useState<{ key: string; data?: T; error?: Error }>({ key });
  const [tick, setTick] = useState(0);
  const fetcherRef = useRef(fetcher);
  fetcherRef.current = fetcher;

  // biome-ignore lint/correctness/useExhaustiveDependencies: `tick` is how reload() asks for a load now.
  useEffect(() => {
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = async () => {
      try {
        const data = await fetcherRef.current();
        if (!cancelled) setResult({ key, data });
      } catch (caught) {
        const error = caught instanceof Error ? caught : new Error(String(caught));
        if (!cancelled) setResult((before) => (before.key === key ? { ...before, error } : { key, error }));
      }
      if (!cancelled && intervalMs !== null) timer = setTimeout(load, intervalMs);
    };
    void load();
    return () => {
      cancelled = true;
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [key, intervalMs, tick]);

  const reload = useCallback(() => setTick((count) => count + 1), []);
  // Until the new key's first answer, show nothing rather than the old key's data.
  const current = result.key === key ? result : { key };
  return { data: current.data, error: current.error, reload };
}
