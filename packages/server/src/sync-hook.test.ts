import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { installErrorHandling } from './errors/error-handler.ts';
import { ForbiddenError } from './errors.ts';
import { syncHook } from './sync-hook.ts';

describe('syncHook', () => {
  let app: FastifyInstance | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  async function appWith(check: Parameters<typeof syncHook>[0]): Promise<FastifyInstance> {
    app = Fastify({ logger: false });
    installErrorHandling(app);
    let handled = 0;
    app.get('/probe', { onRequest: syncHook(check) }, async () => ({ handled: ++handled }));
    await app.ready();
    return app;
  }

  it('lets the request through to the route when the check returns, with what it set on the reply', async () => {
    const server = await appWith((_request, reply) => {
      void reply.header('x-checked', 'yes');
    });
    const response = await server.inject({ method: 'GET', url: '/probe' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['x-checked']).toBe('yes');
    expect(response.json()).toEqual({ handled: 1 });
  });

  it("answers with the thrown error's status and reason, and the route does not run", async () => {
    const server = await appWith(() => {
      throw new ForbiddenError('not this one');
    });
    const refused = await server.inject({ method: 'GET', url: '/probe' });
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ detail: { reason: 'forbidden', message: 'not this one' } });
  });

  it('does not let one refused request keep the next one out', async () => {
    let refuse = true;
    const server = await appWith(() => {
      if (refuse) throw new ForbiddenError('first only');
    });
    expect((await server.inject({ method: 'GET', url: '/probe' })).statusCode).toBe(403);
    refuse = false;
    const next = await server.inject({ method: 'GET', url: '/probe' });
    expect(next.statusCode).toBe(200);
    expect(next.json()).toEqual({ handled: 1 });
  });
});
