import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';

/** The keys s3rver checks request signatures with. */
export const S3_TEST_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

export interface S3TestServer {
  /** `http://127.0.0.1:<port>`; use it with path-style addressing. */
  readonly endpoint: string;
  /** Where s3rver keeps buckets and objects. */
  readonly directory: string;
  close(): Promise<void>;
}

/**
 * A real S3-protocol server (s3rver) in this process, on a free port of 127.0.0.1, keeping its
 * objects in a new temporary folder, with `buckets` created. `close()` stops it and removes the folder.
 */
export async function startS3TestServer(buckets: readonly string[] = []): Promise<S3TestServer> {
  const directory = await mkdtemp(join(tmpdir(), 'tidemark-s3rver-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: buckets.map((name) => ({ name })),
  });
  const { port } = await server.run();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    directory,
    async close() {
      // Clients keep connections alive; the server would otherwise wait for them to end.
      server.httpServer?.closeAllConnections();
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
