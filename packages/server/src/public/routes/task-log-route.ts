import { taskLogPathSchema, taskLogQuerySchema, taskLogResponseSchema } from '@tidemark/core';
import { z } from 'zod';
import { RequestValidationError, TaskLogNotFoundError } from '../../errors.ts';
import { readAttemptLog } from '../../execution/attempt-log.ts';
import type { PublicApp, PublicRouteContext } from '../public-route-context.ts';
import { requireTaskInstance } from './task-instance-lookup.ts';
import { errorResponses } from './task-instance-response.ts';

/**
 * GET …/taskInstances/{task_id}/logs/{try_number}: one chunk of whole lines of the attempt's log
 * (at most 1 MiB) as `{content, continuation_token, complete}`, or the raw text with
 * `Accept: text/plain`. 404 when the try has not started, or has not logged a line yet.
 */
export function registerTaskLogRoute(app: PublicApp, context: PublicRouteContext): void {
  app.get(
    '/dags/:dag_id/dagRuns/:dag_run_id/taskInstances/:task_id/logs/:try_number',
    {
      schema: {
        tags: ['task instances'],
        summary: 'Read the log of one try of a task instance',
        description:
          'Pass continuation_token back as offset to read on (to follow a running try); it is null once the try ' +
          'is over and everything was read. Accept: text/plain answers the text itself.',
        params: taskLogPathSchema,
        querystring: taskLogQuerySchema,
        response: {
          200: {
            description: 'a chunk of the log',
            content: {
              'application/json': { schema: taskLogResponseSchema },
              'text/plain': { schema: z.string() },
            },
          },
          ...errorResponses(401, 404, 422),
        },
      },
      preHandler: context.auth.requireRole('viewer'),
    },
    async (request, reply) => {
      const { dag_id, dag_run_id, task_id, try_number: tryNumber } = request.params;
      const { map_index, offset, token } = request.query;
      if (offset !== undefined && token !== undefined && offset !== token) {
        throw new RequestValidationError('invalid request query: pass offset or token, not both');
      }
      const { ti } = await requireTaskInstance(context.database.db, {
        dagId: dag_id,
        runId: dag_run_id,
        taskId: task_id,
        mapIndex: map_index,
      });
      const address = { taskId: ti.task_id, mapIndex: ti.map_index, tryNumber };
      if (tryNumber > ti.try_number) throw new TaskLogNotFoundError(address, ti.try_number);
      const chunk = await readAttemptLog(
        context.logsFolder,
        { dagId: ti.dag_id, runId: ti.run_id, taskId: ti.task_id, mapIndex: ti.map_index, tryNumber },
        { offset: offset ?? token ?? 0 },
      );
      if (!chunk) throw new TaskLogNotFoundError(address, ti.try_number);
      if (wantsPlainText(request.headers.accept)) {
        return reply.type('text/plain; charset=utf-8').send(chunk.text);
      }
      const attemptOver = !(ti.state === 'running' && ti.try_number === tryNumber);
      return {
        content: chunk.text,
        continuation_token: chunk.complete && attemptOver ? null : String(chunk.nextOffset),
        complete: chunk.complete,
      };
    },
  );
}

/** `Accept: text/plain` (and not JSON first). */
function wantsPlainText(accept: string | undefined): boolean {
  if (!accept) return false;
  const types = accept.split(',').map((part) => part.split(';')[0]?.trim().toLowerCase());
  const text = types.indexOf('text/plain');
  const json = types.indexOf('application/json');
  return text >= 0 && (json < 0 || text < json);
}
