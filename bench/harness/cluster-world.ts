import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectDatabase, type DialectName, type MetadataDatabase } from '@tidemark/db';
import { createTestDatabase, freePort, type TestDatabase, waitUntil } from '@tidemark/db/testing';
import { stopProcess } from './bench-world.ts';

const BIN = join(import.meta.dirname, '..', '..', 'packages', 'cli', 'bin', 'tidemark.mjs');

export type ServiceName = 'api-server' | 'scheduler' | 'worker' | 'triggerer';

/**
 * Tidemark as separate processes on a fresh database, started one by one as the scenario asks, so
 * that one process (a triggerer, say) can be measured on its own. Each process logs to
 * `<home>/<service>-<n>.log`; `TIDEMARK_BENCH_KEEP_HOME=1` keeps the home folder for a look.
 */
export interface ClusterWorld {
  readonly database: MetadataDatabase;
  readonly home: string;
  readonly apiUrl: string;
  /** Starts a process; `api-server` resolves once it answers /health, the others once they log that they started. */
  start(service: ServiceName): Promise<ChildProcess>;
  close(): Promise<void>;
}

export async function openClusterWorld(
  dialect: DialectName,
  options: { postgresUrl?: string | undefined; dagsFolder: string; env?: Record<string, string> },
): Promise<ClusterWorld> {
  const test: TestDatabase = await createTestDatabase(dialect, { postgresUrl: options.postgresUrl });
  const home = mkdtempSync(join(tmpdir(), 'tidemark-bench-'));
  const port = await freePort();
  const apiUrl = `http://127.0.0.1:${port}`;
  const env = {
    PATH: process.env.PATH ?? '',
    TIDEMARK_HOME: home,
    TIDEMARK_DATABASE__URL: test.url,
    TIDEMARK_CORE__DAGS_FOLDER: options.dagsFolder,
    TIDEMARK_API__PORT: String(port),
    TIDEMARK_LOGGING__LEVEL: 'info',
    ...options.env,
  };
  const children: ChildProcess[] = [];
  const database = await connectDatabase(test.url);
  const migrate = spawn(process.execPath, [BIN, 'db', 'migrate'], { env, stdio: 'ignore' });
  await new Promise((resolve) => migrate.on('exit', resolve));
  return {
    database,
    home,
    apiUrl,
    async start(service) {
      const args = service === 'worker' || service === 'triggerer' ? [service, '--api-url', apiUrl] : [service];
      const logFile = join(home, `${service}-${children.length}.log`);
      const log = openSync(logFile, 'a');
      const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', log, log] });
      children.push(child);
      if (service === 'api-server') {
        await waitUntil(
          () =>
            fetch(`${apiUrl}/health`).then(
              (response) => response.ok,
              () => false,
            ),
          'the api-server to answer /health',
          60_000,
          100,
        );
      } else {
        await waitUntil(
          () => /started|running/.test(readFileSync(logFile, 'utf8')),
          `the ${service} to log that it started`,
          60_000,
          50,
        );
      }
      return child;
    },
    async close() {
      await Promise.all(children.map((child) => stopProcess(child)));
      await database.close();
      await test.destroy();
      if (process.env.TIDEMARK_BENCH_KEEP_HOME) process.stderr.write(`kept ${home} (its logs: *.log)\n`);
      else rmSync(home, { recursive: true, force: true });
    },
  };
}
