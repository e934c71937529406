import { TidemarkProcess } from '@tidemark/cli/testing';
import type { E2eEnvironment } from './e2e-environment.ts';

/**
 * Tidemark as separate processes over one environment: an api-server, a scheduler, and a number of
 * `tidemark worker` processes. A worker killed with `killWorker` is replaced at once, so as many
 * workers keep polling; the survivors (and the replacement) pick up what the dead one left.
 */
export class TidemarkCluster {
  readonly #all: TidemarkProcess[] = [];
  readonly #workers: TidemarkProcess[] = [];
  #workersStarted = 0;

  private constructor(
    readonly env: E2eEnvironment,
    readonly apiServer: TidemarkProcess,
    readonly scheduler: TidemarkProcess,
  ) {
    this.#all.push(apiServer, scheduler);
  }

  static async start(env: E2eEnvironment, workers = 2): Promise<TidemarkCluster> {
    const migrate = TidemarkProcess.start(['db', 'migrate'], env.env);
    const migrated = await migrate.exited;
    if (migrated.code !== 0) throw new Error(`tidemark db migrate failed:\n${migrate.output}`);
    const cluster = new TidemarkCluster(
      env,
      TidemarkProcess.start(['api-server'], env.env),
      TidemarkProcess.start(['scheduler'], env.env),
    );
    await cluster.apiServer.waitFor(/listening at http/);
    for (let index = 0; index < workers; index++) cluster.startWorker();
    return cluster;
  }

  /** The workers that are alive (killed ones are gone from this list). */
  get workers(): readonly TidemarkProcess[] {
    return this.#workers;
  }

  get workersStarted(): number {
    return this.#workersStarted;
  }

  startWorker(): TidemarkProcess {
    const worker = TidemarkProcess.start(['worker', '--api-url', this.env.apiUrl], this.env.env);
    this.#workers.push(worker);
    this.#all.push(worker);
    this.#workersStarted++;
    return worker;
  }

  /** SIGKILLs the worker with this pid and starts a replacement; false when no live worker has it. */
  async killWorker(pid: number): Promise<boolean> {
    const index = this.#workers.findIndex((worker) => worker.pid === pid);
    const worker = this.#workers[index];
    if (worker === undefined) return false;
    this.#workers.splice(index, 1);
    worker.kill('SIGKILL');
    await worker.exited;
    this.startWorker();
    return true;
  }

  async stop(): Promise<void> {
    await Promise.all(this.#all.map((process) => process.stop()));
  }
}
