import { z } from 'zod';
import { taskInstancePathSchema, wholeNumberQueryParam } from './task-instance-contract.ts';

/**
 * Public API (SPEC §11.2), the log of one attempt (try) of a task instance:
 * `GET …/taskInstances/{task_id}/logs/{try_number}?map_index=&offset=` →
 * `{content, continuation_token, complete}`; with `Accept: text/plain`, the raw text.
 *
 * Logs are read in chunks of whole lines (at most 1 MiB). To follow a log, pass the
 * `continuation_token` back as `offset` (Airflow's name, `token`, is accepted too) until it is null.
 */
export const taskLogPathSchema = taskInstancePathSchema.extend({ try_number: wholeNumberQueryParam(1) });

export const taskLogQuerySchema = z.object({
  map_index: wholeNumberQueryParam(-1).optional(),
  /** Byte offset to read from (a previous `continuation_token`). */
  offset: wholeNumberQueryParam(0, Number.MAX_SAFE_INTEGER).optional(),
  /** Airflow's name for the same thing. */
  token: wholeNumberQueryParam(0, Number.MAX_SAFE_INTEGER).optional(),
});
export type TaskLogQuery = z.infer<typeof taskLogQuerySchema>;

export const taskLogResponseSchema = z.strictObject({
  /** Whole lines, `<ISO time> <LEVEL> [<source>] <message>`. */
  content: z.string(),
  /**
   * The `offset` to read on from; null once the attempt is over and everything was read (nothing
   * more will come).
   */
  continuation_token: z.string().nullable(),
  /** True when this chunk reaches the end of the file as it is now. */
  complete: z.boolean(),
});
export type TaskLogResponse = z.infer<typeof taskLogResponseSchema>;
