/**
 * What a reused task process puts back between attempts, so that one attempt's leftovers do not
 * reach the next: the environment variables and working directory as the process started with
 * them, and the timers (setTimeout, setInterval, setImmediate) the attempt started and left
 * pending, which are cleared. Module-level state of the DAG file and what it imports, listeners on
 * `process`, and promises still running are not undone (README "Workers").
 */
export class AttemptIsolation {
  readonly #env: Readonly<Record<string, string | undefined>> = { ...process.env };
  readonly #cwd = process.cwd();
  /** The attempt's timer handles, each with the function that clears it (a Timeout and an Immediate differ). */
  readonly #timers = new Map<unknown, (handle: never) => void>();
  #tracking = false;

  constructor() {
    this.#trackTimers();
  }

  /** From here until `end`, the timers started belong to the attempt. */
  begin(): void {
    this.#timers.clear();
    this.#tracking = true;
  }

  /** Clears the attempt's pending timers and restores the environment and working directory. */
  end(): void {
    this.#tracking = false;
    for (const [timer, clear] of this.#timers) clear(timer as never);
    this.#timers.clear();
    this.#restoreEnvironment();
    if (process.cwd() !== this.#cwd) process.chdir(this.#cwd);
  }

  #restoreEnvironment(): void {
    for (const name of Object.keys(process.env)) {
      if (!(name in this.#env)) delete process.env[name];
    }
    for (const [name, value] of Object.entries(this.#env)) {
      if (process.env[name] !== value && value !== undefined) process.env[name] = value;
    }
  }

  /**
   * Wraps the global timer functions so that the handles they return during an attempt are kept
   * until they fired or were cleared (a long attempt that sleeps a million times holds none of them).
   */
  #trackTimers(): void {
    const timers = this.#timers;
    const isTracking = () => this.#tracking;
    const kinds = [
      ['setTimeout', 'clearTimeout', true],
      ['setInterval', 'clearInterval', false],
      ['setImmediate', 'clearImmediate', true],
    ] as const;
    const global = globalThis as unknown as Record<string, (...args: unknown[]) => unknown>;
    for (const [setName, clearName, firesOnce] of kinds) {
      const set = global[setName] as (...args: unknown[]) => unknown;
      const clear = global[clearName] as (handle: unknown) => void;
      const trackedSet = function (this: unknown, callback: unknown, ...rest: unknown[]) {
        if (!isTracking() || typeof callback !== 'function') return set.call(this, callback, ...rest);
        let handle: unknown;
        const run = firesOnce
          ? function (this: unknown, ...args: unknown[]) {
              timers.delete(handle);
              return (callback as (...args: unknown[]) => unknown).apply(this, args);
            }
          : callback;
        handle = set.call(this, run, ...rest);
        timers.set(handle, clear as (handle: never) => void);
        return handle;
      };
      const trackedClear = function (this: unknown, handle: unknown) {
        timers.delete(handle);
        return clear.call(this, handle);
      };
      copyProperties(set, trackedSet);
      global[setName] = trackedSet;
      global[clearName] = trackedClear;
    }
  }
}

/** Keeps what hangs off the original timer function (util.promisify.custom, for `promisify(setTimeout)`). */
function copyProperties(from: object, to: object): void {
  for (const key of Reflect.ownKeys(from)) {
    if (key === 'length' || key === 'name' || key === 'prototype') continue;
    const descriptor = Object.getOwnPropertyDescriptor(from, key);
    if (descriptor) Object.defineProperty(to, key, descriptor);
  }
}
