/**
 * A small deterministic random source (mulberry32) for tests that act at random points. The seed
 * comes from `TIDEMARK_E2E_SEED` when set, so a failing run can be replayed; tests log it.
 */
export class SeededRandom {
  #state: number;

  constructor(readonly seed: number) {
    this.#state = seed >>> 0;
  }

  static fromEnvironment(env: NodeJS.ProcessEnv = process.env): SeededRandom {
    const given = env.TIDEMARK_E2E_SEED;
    if (given === undefined || given === '') return new SeededRandom(Math.floor(Math.random() * 2 ** 32));
    const seed = Number(given);
    if (!Number.isSafeInteger(seed) || seed < 0) {
      throw new Error(`TIDEMARK_E2E_SEED must be a whole number ≥ 0, got "${given}"`);
    }
    return new SeededRandom(seed);
  }

  /** An independent source for one part of a test, so parts don't shift each other's draws. */
  derive(label: string): SeededRandom {
    let hash = this.seed ^ 0x9e3779b9;
    for (const char of label) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193);
    return new SeededRandom(hash >>> 0);
  }

  /** A number in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  }

  /** A whole number in [min, max]. */
  integer(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** The items in a random order (a new array). */
  shuffle<T>(items: readonly T[]): T[] {
    const copy = [...items];
    for (let index = copy.length - 1; index > 0; index--) {
      const other = this.integer(0, index);
      [copy[index], copy[other]] = [copy[other] as T, copy[index] as T];
    }
    return copy;
  }
}
