/** A clock that moves only when told, for expiry tests. */
export class ManualClock {
  #now: number;
  constructor(start = Date.UTC(2026, 0, 1)) {
    this.#now = start;
  }
  readonly now = (): number => this.#now;
  advance(ms: number): void {
    this.#now += ms;
  }
}
