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
  readonly #timers = new Set<unknown>();
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
    for (const timer of this.#timers) {
      clearTimeout(timer as NodeJS.Timeout);
      clearImmediate(timer as NodeJS.Immediate);
    }
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

  /** Wraps the global timer functions so that the handles they return during an attempt are kept. */
  #trackTimers(): void {
    const timers = this.#timers;
    const isTracking = () => this.#tracking;
    for (const name of ['setTimeout', 'setInterval', 'setImmediate'] as const) {
      const original = globalThis[name] as (...args: unknown[]) => unknown;
      const tracked = function (this: unknown, ...args: unknown[]) {
        const handle = original.apply(this, args);
        if (isTracking()) timers.add(handle);
        return handle;
      };
      // Keep what hangs off the original (util.promisify.custom, for `promisify(setTimeout)`).
      for (const key of Reflect.ownKeys(original)) {
        if (key === 'length' || key === 'name' || key === 'prototype') continue;
        const descriptor = Object.getOwnPropertyDescriptor(original, key);
        if (descriptor) Object.defineProperty(tracked, key, descriptor);
      }
      (globalThis as Record<string, unknown>)[name] = tracked;
    }
  }
}
