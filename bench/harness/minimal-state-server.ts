/**
 * The *minimal state server* baseline: one Fastify app with a PUT and a GET route doing the raw
 * upsert/select of raw-state-sql.ts, with no auth and no validation. Run in its own process:
 *   node --import tsx/esm bench/harness/minimal-state-server.ts <database url> <dag_run id> <port>
 * It prints `listening` once it accepts requests.
 */
import Fastify from 'fastify';
import { openRawStateSql } from './raw-state-sql.ts';

async function main(url: string, dagRunId: number, port: number): Promise<void> {
  const sql = await openRawStateSql(url, dagRunId);
  const app = Fastify({ logger: false });
  app.put<{ Params: { key: string }; Body: { value: unknown } }>('/state/:key', async (request, reply) => {
    await sql.upsert(request.params.key, JSON.stringify(request.body.value));
    return reply.code(204).send();
  });
  app.get<{ Params: { key: string } }>('/state/:key', async (request, reply) => {
    const value = await sql.select(request.params.key);
    if (value === undefined) return reply.code(404).send();
    return { value: JSON.parse(value) };
  });
  await app.listen({ host: '127.0.0.1', port });
  process.stdout.write('listening\n');
  process.on('SIGTERM', () => {
    void app
      .close()
      .then(() => sql.close())
      .then(() => process.exit(0));
  });
}

const [url, dagRunId, port] = process.argv.slice(2);
main(url ?? '', Number(dagRunId), Number(port)).catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
