import { TidemarkProcess } from './tidemark-process.ts';

/** What a cluster needs from its test world: the processes' environment and the api-server URL. */
export interface ClusterEnvironment {
  readonly env: Record<string, string>;
  readonly apiUrl: string;
  /** The database is migrated already: the cluster starts without a `tidemark db migrate` first. */
  readonly databaseMigrated?: boolean;
}

export interface ClusterShape {
  /** `tidemark worker` processes (default 2). */
  readonly workers?: number;
  /** `tidemark scheduler` processes (default 1; more share the work on PostgreSQL). */
  readonly schedulers?: number;
}

/**
 * Tidemark as separate processes over one environment: an api-server, one or more schedulers, and
 * a number of `tidemark worker` processes. A worker killed with `killWorker` is replaced at once,
 * so as many workers keep polling; the survivors (and the replacement) pick up what the dead one left.
 */
export class TidemarkCluster<Environment extends ClusterEnvironment = ClusterEnvironment> {
  readonly #all: TidemarkProcess[] = [];
  readonly #workers: TidemarkProcess[] = [];
  #workersStarted = 0;

  private constructor(
    readonly env: Environment,
    readonly apiServer: TidemarkProcess,
    readonly schedulers: readonly TidemarkProcess[],
  ) {
    this.#all.push(apiServer, ...schedulers);
  }

  /**
   * Migrates the database (unless the environment says it is), then starts the api-server, the
   * schedulers and (once it listens) the workers.
   */
  static async start<Environment extends ClusterEnvironment>(
    env: Environment,
    { workers = 2, schedulers = 1 }: ClusterShape = {},
  ): Promise<TidemarkCluster<Environment>> {
    if (!env.databaseMigrated) {
      const migrate = TidemarkProcess.start(['db', 'migrate'], env.env);
      const migrated = await migrate.exited;
      if (migrated.code !== 0) throw new Error(`tidemark db migrate failed:\n${migrate.output}`);
    }
    const cluster = new TidemarkCluster(
      env,
      TidemarkProcess.start(['api-server'], env.env),
      Array.from({ length: schedulers }, () => TidemarkProcess.start(['scheduler'], env.env)),
    );
    await cluster.apiServer.waitFor(/listening at http/);
    for (let index = 0; index < workers; index++) cluster.startWorker();
    return cluster;
  }

  /** The first scheduler. */
  get scheduler(): TidemarkProcess {
    return this.schedulers[0] as TidemarkProcess;
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
