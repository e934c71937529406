import { z } from 'zod';

/** `?limit=&offset=` of every public listing (Airflow's names); responses carry `total_entries`. */
export const paginationQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(1_000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});
export type PaginationQuery = z.infer<typeof paginationQuerySchema>;

/** The error body of both APIs (SPEC §11). */
export const errorBodySchema = z.object({
  detail: z.object({ reason: z.string(), message: z.string() }),
});

/** Timestamps leave the API as ISO-8601 strings (they are epoch ms inside). */
export function isoOrNull(epochMs: number | null | undefined): string | null {
  return epochMs === null || epochMs === undefined ? null : new Date(epochMs).toISOString();
}
