import type { MetadataDatabase } from '@tidemark/db';
import type { FastifyInstance } from 'fastify';

/** GET /health → 200 `{status: "ok", database: "ok"}`, or 503 when the database does not answer. */
export function registerHealthRoute(app: FastifyInstance, database: MetadataDatabase): void {
  app.get('/health', async (request, reply) => {
    try {
      await database.db.selectNoFrom((eb) => eb.lit(1).as('one')).execute();
      return { status: 'ok', database: 'ok' };
    } catch (error) {
      request.log.error({ err: error }, 'health check: the database does not answer');
      return reply.code(503).send({ status: 'unavailable', database: 'unavailable' });
    }
  });
}
