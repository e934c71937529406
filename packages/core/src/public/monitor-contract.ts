import { z } from 'zod';

/** Public API contracts of `/api/v2/health` and `/api/v2/version`, Airflow 3 shaped. */

export const HEALTH_STATUSES = ['healthy', 'unhealthy'] as const;
export type HealthStatus = (typeof HEALTH_STATUSES)[number];

/**
 * GET /api/v2/health (no token). Always 200, as in Airflow: read the statuses. The scheduler's
 * status is null (unknown): Tidemark's schedulers do not record heartbeats yet.
 */
export const healthResponseSchema = z.object({
  metadatabase: z.object({ status: z.enum(HEALTH_STATUSES) }),
  scheduler: z.object({
    status: z.enum(HEALTH_STATUSES).nullable(),
    latest_scheduler_heartbeat: z.string().nullable(),
  }),
});
export type HealthResponse = z.infer<typeof healthResponseSchema>;

/** GET /api/v2/version */
export const versionResponseSchema = z.object({
  version: z.string(),
  git_version: z.string().nullable(),
});
export type VersionResponse = z.infer<typeof versionResponseSchema>;
