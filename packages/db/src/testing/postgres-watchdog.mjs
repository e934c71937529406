// Stops a test PostgreSQL when the process that started it is gone (SIGKILL, CI timeout, Ctrl-C
// before teardown). Started detached by postgres-test-server.ts; plain JavaScript so that it runs
// without a TypeScript loader.
//
// node postgres-watchdog.mjs <owner pid> <pg_ctl path> <data folder> <run as postgres: 1|0>
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';

const POLL_MS = 250;
const [ownerPid, pgCtl, dataDir, asPostgres] = process.argv.slice(2);

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

function shellQuote(text) {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

function stopPostgres() {
  const args = ['-D', dataDir, '-m', 'immediate', '-w', 'stop'];
  if (asPostgres === '1') {
    spawnSync('su', ['postgres', '-s', '/bin/sh', '-c', [pgCtl, ...args].map(shellQuote).join(' ')]);
  } else {
    spawnSync(pgCtl, args);
  }
  rmSync(dataDir, { recursive: true, force: true });
}

const timer = setInterval(() => {
  if (isAlive(Number(ownerPid))) return;
  clearInterval(timer);
  stopPostgres();
}, POLL_MS);
