/**
 * Calls of one kind made by many requests at once, sent as few batches: a call made while no
 * batch is in flight starts one at once; calls made while one is in flight wait for it and go
 * together in the next (at most `maxBatch` a batch). Every call's batch starts after the call was
 * made, so it reads and writes as fresh as a call of its own: this saves round trips, it caches
 * nothing. `run` answers one result per item, in order; a batch that fails rejects all its calls.
 */
export class BatchedCalls<Item, Result> {
  private queued: Array<{ item: Item; resolve: (r: Result) => void; reject: (e: unknown) => void }> = [];
  private inFlight = false;

  constructor(
    private readonly run: (items: Item[]) => Promise<Result[]>,
    private readonly maxBatch = 100,
  ) {
    if (!Number.isInteger(maxBatch) || maxBatch < 1) throw new Error('maxBatch must be a positive integer');
  }

  call(item: Item): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      this.queued.push({ item, resolve, reject });
      if (!this.inFlight) this.next();
    });
  }

  private next(): void {
    const batch = this.queued.splice(0, this.maxBatch);
    if (batch.length === 0) {
      this.inFlight = false;
      return;
    }
    this.inFlight = true;
    Promise.resolve()
      .then(() => this.run(batch.map((b) => b.item)))
      .then((results) => {
        if (results.length !== batch.length) throw new Error(`a batch of ${batch.length} answered ${results.length} results`);
        batch.forEach((b, i) => b.resolve(results[i]));
      })
      .catch((err: unknown) => batch.forEach((b) => b.reject(err)))
      .finally(() => this.next());
  }
}
