import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testDialects } from './test-database.ts';

const STARTER = join(import.meta.dirname, 'fixtures', 'start-postgres-and-wait.ts');

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function waitUntil(condition: () => boolean, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe.runIf(testDialects().includes('postgres'))('the test PostgreSQL watchdog', () => {
  it('stops the server when the process that started it is SIGKILLed', async () => {
    const starter = spawn(process.execPath, ['--import', 'tsx', STARTER], { stdio: ['ignore', 'pipe', 'inherit'] });
    const started = await new Promise<{ postmasterPid: number }>((resolve, reject) => {
      let output = '';
      starter.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString('utf8');
        const line = output.split('\n').find((text) => text.startsWith('{'));
        if (line) resolve(JSON.parse(line));
      });
      starter.on('exit', (code) => reject(new Error(`the starter exited (${code}) before starting PostgreSQL`)));
    });
    expect(isAlive(started.postmasterPid)).toBe(true);

    starter.kill('SIGKILL');

    await waitUntil(() => !isAlive(started.postmasterPid), `postmaster ${started.postmasterPid} to stop`, 30_000);
  }, 60_000);
});
