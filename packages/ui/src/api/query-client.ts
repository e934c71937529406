import { QueryClient } from '@tanstack/react-query';
import { ApiError } from './http.ts';

/** A refused request (4xx) is not tried again; a lost connection or a server error is, twice. */
function shouldRetry(failures: number, error: Error): boolean {
  if (error instanceof ApiError && error.status >= 400 && error.status < 500) return false;
  return failures < 2;
}

/** The UI's one cache: a value is fresh for a second; a view no longer shown is forgotten after five minutes. */
export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: { staleTime: 1_000, gcTime: 5 * 60_000, retry: shouldRetry, refetchOnWindowFocus: true },
    },
  });
}
