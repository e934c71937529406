import { type ChildProcess, spawn } from 'node:child_process';
import { tidemarkNodeArgs } from './run-tidemark.ts';

/** Another `tidemark` than this repository's (an installed one), and the folder it runs in. */
export interface TidemarkProcessOptions {
  /** An executable: `node_modules/.bin/tidemark` of a project. Default: node on this repository's bin. */
  readonly bin?: string;
  readonly cwd?: string;
}

/** A real `tidemark` process (standalone, api-server, scheduler, worker) for end-to-end tests. */
export class TidemarkProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  #output = '';
  #listeners: (() => void)[] = [];

  private constructor(args: readonly string[], env: Record<string, string>, options: TidemarkProcessOptions) {
    const [command, commandArgs] = options.bin ? [options.bin, args] : [process.execPath, tidemarkNodeArgs(args)];
    this.child = spawn(command, commandArgs, {
      cwd: options.cwd,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const collect = (chunk: Buffer) => {
      this.#output += chunk.toString('utf8');
      for (const listener of this.#listeners) listener();
    };
    this.child.stdout?.on('data', collect);
    this.child.stderr?.on('data', collect);
    this.exited = new Promise((resolve) =>
      this.child.on('exit', (code, signal) => {
        for (const listener of this.#listeners) listener();
        resolve({ code, signal });
      }),
    );
  }

  static start(
    args: readonly string[],
    env: Record<string, string>,
    options: TidemarkProcessOptions = {},
  ): TidemarkProcess {
    return new TidemarkProcess(args, env, options);
  }

  get output(): string {
    return this.#output;
  }

  get pid(): number {
    return this.child.pid as number;
  }

  /** Resolves with the first match of `pattern` in the output; rejects on timeout or exit. */
  waitFor(pattern: RegExp, timeoutMs = 30_000): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const match = this.#output.match(pattern);
        if (match) return finish(() => resolve(match));
        if (this.child.exitCode !== null || this.child.signalCode !== null) {
          return finish(() => reject(new Error(`process exited before printing ${pattern}:\n${this.#output}`)));
        }
      };
      const timer = setTimeout(
        () =>
          finish(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${pattern}:\n${this.#output}`))),
        timeoutMs,
      );
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        this.#listeners = this.#listeners.filter((listener) => listener !== check);
        settle();
      };
      this.#listeners.push(check);
      check();
    });
  }

  kill(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** SIGTERM, then SIGKILL if it has not exited after `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}
