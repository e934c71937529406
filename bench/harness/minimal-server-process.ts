import { spawn } from 'node:child_process';
import { freePort } from '@tidemark/db/testing';
import { stopProcess } from './bench-world.ts';

const SERVER = new URL('./minimal-state-server.ts', import.meta.url).pathname;

/** Starts the minimal state server on the world's database; resolves with its origin and a stop. */
export async function startMinimalStateServer(
  url: string,
  dagRunId: number,
): Promise<{ origin: string; stop: () => Promise<void> }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx/esm', SERVER, url, String(dagRunId), String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('listening')) resolve();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', () => reject(new Error(`minimal state server exited:\n${output}`)));
  });
  return { origin: `http://127.0.0.1:${port}`, stop: () => stopProcess(child) };
}
