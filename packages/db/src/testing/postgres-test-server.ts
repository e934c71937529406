import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.ts';

const DEFAULT_BIN_DIR = '/usr/lib/postgresql/15/bin';

export interface PostgresTestServer {
  readonly url: string;
  /** The data folder (holds `postmaster.pid` and `server.log`). */
  readonly dataDir: string;
  /** The running postmaster's pid, read from `postmaster.pid` (undefined while shut down). */
  postmasterPid(): number | undefined;
  /** Shuts the server down as an operator restarting it would (`pg_ctl stop -m fast`); the data stays. */
  shutDown(): void;
  /** Starts it again, on the same port, after `shutDown`. */
  startUp(): void;
  /** Stops it for good and removes its data. */
  stop(): void;
}

const WATCHDOG = join(import.meta.dirname, 'postgres-watchdog.mjs');

/**
 * Starts a throw-away PostgreSQL 15 for tests: a temp data folder, loopback only, a free port,
 * fsync off. As root it runs the server as user `postgres` (initdb refuses root).
 *
 * `durable: true` keeps PostgreSQL's defaults instead (fsync, synchronous_commit and full-page
 * writes on): each COMMIT waits for its WAL flush, as in production. The bench measures both.
 *
 * Autovacuum is off unless `autovacuum: true` (the bench's servers, as in production). A test's
 * tables then never gain statistics behind its back: autovacuum analyzing a recycled table while a
 * test's bulk insert is uncommitted records many pages and no rows, and the planner's plans for
 * that test then scan the whole table once per row (recycled-test-schemas.ts).
 */
export async function startPostgresTestServer(
  binDir = process.env.TIDEMARK_PG_BIN ?? DEFAULT_BIN_DIR,
  options: { readonly durable?: boolean; readonly autovacuum?: boolean } = {},
): Promise<PostgresTestServer> {
  if (!existsSync(join(binDir, 'initdb'))) {
    throw new Error(
      `PostgreSQL 15 binaries not found in ${binDir}; install them with "apt-get install -y postgresql", ` +
        'set TIDEMARK_PG_BIN, or run only SQLite tests with TEST_DIALECTS=sqlite',
    );
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'tidemark-pg-'));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) chownSync(dataDir, postgresUid(), postgresGid());
  const port = await freePort();
  const run = (command: string, args: string[]) => runAsPostgres(join(binDir, command), args, asRoot);
  const durability = options.durable
    ? '-c fsync=on -c synchronous_commit=on -c full_page_writes=on'
    : '-c fsync=off -c synchronous_commit=off -c full_page_writes=off';
  const autovacuum = options.autovacuum ? '' : ' -c autovacuum=off';

  run('initdb', ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-instructions']);
  const startUp = () =>
    run('pg_ctl', [
      '-D',
      dataDir,
      '-l',
      join(dataDir, 'server.log'),
      '-w',
      '-o',
      `-p ${port} -k ${dataDir} -c listen_addresses=127.0.0.1 ${durability}${autovacuum} -c max_connections=300`,
      'start',
    ]);
  startUp();
  const watchdog = startWatchdog(join(binDir, 'pg_ctl'), dataDir, asRoot);

  let stopped = false;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    dataDir,
    postmasterPid: () => readPostmasterPid(dataDir),
    shutDown: () => run('pg_ctl', ['-D', dataDir, '-m', 'fast', '-w', 'stop']),
    startUp,
    stop() {
      if (stopped) return;
      stopped = true;
      watchdog.kill('SIGTERM');
      try {
        if (readPostmasterPid(dataDir) !== undefined) run('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
}

/**
 * pg_ctl detaches the postmaster from the test run, so a run that is killed (CI timeout, SIGKILL,
 * Ctrl-C before teardown) would leave it running. A detached watchdog polls this process and stops
 * the server when it is gone.
 */
function startWatchdog(pgCtl: string, dataDir: string, asRoot: boolean) {
  const watchdog = spawn(process.execPath, [WATCHDOG, String(process.pid), pgCtl, dataDir, asRoot ? '1' : '0'], {
    detached: true,
    stdio: 'ignore',
  });
  watchdog.unref();
  return watchdog;
}

function readPostmasterPid(dataDir: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0] ?? '', 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function runAsPostgres(command: string, args: string[], asRoot: boolean): void {
  const result = asRoot
    ? spawnSync('su', ['postgres', '-s', '/bin/sh', '-c', [command, ...args].map(shellQuote).join(' ')], {
        encoding: 'utf8',
      })
    : spawnSync(command, args, { encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed (${result.status}): ${result.stderr || result.stdout}`);
  }
}

function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

function postgresUid(): number {
  return Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
}

function postgresGid(): number {
  return Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
}
