/**
 * Gathers the items that arrive together into batches (group commit's queue). An item that arrives
 * while fewer than `maxInFlight` batches are in flight starts one as soon as the event loop has
 * handled the requests that arrived with it (setImmediate, no timer: an idle server runs a lone
 * item at once); items that arrive while they are all in flight wait and form the next batch, up
 * to `maxBatch`, in arrival order.
 */
export class WriteCoalescer<Item> {
  readonly #maxBatch: number;
  readonly #maxInFlight: number;
  readonly #runBatch: (batch: Item[]) => Promise<void>;
  readonly #takeBatch: (queue: Item[], maxBatch: number) => Item[];
  #queue: Item[] = [];
  #inFlight = 0;

  /**
   * `runBatch` settles every item it is given and never rejects. `takeBatch` removes the next batch
   * from the front of the queue (by default its first `maxBatch` items).
   */
  constructor(options: {
    readonly maxBatch: number;
    readonly maxInFlight: number;
    readonly runBatch: (batch: Item[]) => Promise<void>;
    readonly takeBatch?: (queue: Item[], maxBatch: number) => Item[];
  }) {
    this.#maxBatch = Math.max(1, Math.floor(options.maxBatch));
    this.#maxInFlight = Math.max(1, Math.floor(options.maxInFlight));
    this.#runBatch = options.runBatch;
    this.#takeBatch = options.takeBatch ?? ((queue, maxBatch) => queue.splice(0, maxBatch));
  }

  add(item: Item): void {
    this.#queue.push(item);
    if (this.#inFlight < this.#maxInFlight) this.#drainAfterThisIoPhase();
  }

  /**
   * Starts a drain once the event loop has handled every request that arrived with this one. On
   * SQLite a batch runs without ever yielding to I/O (the driver is synchronous), so a drain that
   * started at once would always find a queue of one and commit each write alone.
   */
  #drainAfterThisIoPhase(): void {
    this.#inFlight++;
    setImmediate(() => void this.#drain());
  }

  async #drain(): Promise<void> {
    try {
      while (this.#queue.length > 0) await this.#runBatch(this.#takeBatch(this.#queue, this.#maxBatch));
    } finally {
      this.#inFlight--;
    }
  }
}
