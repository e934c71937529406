import { z } from 'zod';
import { paginationQuerySchema } from './pagination.ts';

/**
 * Public API contracts of asset watchers (SPEC §15.3): `GET /api/v2/watchers` and
 * `GET /api/v2/assets/{asset_id}/watchers`.
 */

/**
 * `running`: leased by a live triggerer and polling; `backing_off`: its last poll failed and it waits
 * out its backoff; `waiting`: no triggerer holds it (none runs, or all are full); `inactive`: the
 * DAG that declares it is paused or gone.
 */
export const WATCHER_STATUSES = ['running', 'backing_off', 'waiting', 'inactive'] as const;
export type WatcherStatus = (typeof WATCHER_STATUSES)[number];

export const watcherResponseSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  asset_id: z.number().int(),
  asset_name: z.string(),
  asset_uri: z.string(),
  /** The DAG whose file declares the watcher. */
  dag_id: z.string(),
  every_ms: z.number().int(),
  status: z.enum(WATCHER_STATUSES),
  /** The triggerer holding its lease (hostname:pid), or null. */
  triggerer: z.string().nullable(),
  /** ISO-8601 or null. */
  lease_expires_at: z.string().nullable(),
  last_poll_at: z.string().nullable(),
  last_event_at: z.string().nullable(),
  /** Events it emitted, all time. */
  event_count: z.number().int(),
  last_error: z.string().nullable(),
  last_error_at: z.string().nullable(),
  /** Failed polls in a row (0 after a success). */
  failure_count: z.number().int(),
  next_poll_at: z.string().nullable(),
});
export type WatcherResponse = z.infer<typeof watcherResponseSchema>;

export const watcherCollectionSchema = z.object({
  watchers: z.array(watcherResponseSchema),
  total_entries: z.number().int(),
});
export type WatcherCollection = z.infer<typeof watcherCollectionSchema>;

/** GET /api/v2/watchers */
export const watcherListQuerySchema = paginationQuerySchema.extend({
  status: z.enum(WATCHER_STATUSES).optional(),
  dag_id: z.string().min(1).max(250).optional(),
});
export type WatcherListQuery = z.infer<typeof watcherListQuerySchema>;
