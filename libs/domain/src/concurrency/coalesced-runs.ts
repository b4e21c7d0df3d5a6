/**
 * Runs `work(key)` for callers who each need a run that starts after they asked, with at most
 * one run per key at a time: a caller arriving while a run is in flight waits for the next one,
 * which every caller arriving before it starts shares. Whatever the number of callers, a key has
 * at most one run in flight and one queued. Group commit for one key: the audit chain of a
 * workspace, where a run chains every change that committed before it started.
 */
export class CoalescedRuns<Key> {
  private readonly runs = new Map<Key, { running: Promise<void>; next: Promise<void> | null }>();

  constructor(private readonly work: (key: Key) => Promise<void>) {}

  /** Resolves when a run of `key` that started after this call has ended; rejects as that run did. */
  after(key: Key): Promise<void> {
    const current = this.runs.get(key);
    if (!current) return this.start(key);
    // Callers share the queued run, which starts once the one in flight has ended, whatever its outcome.
    current.next ??= current.running.then(() => undefined, () => undefined).then(() => this.start(key));
    return current.next;
  }

  /** How many keys have a run in flight (for tests and metrics). */
  get inFlight(): number {
    return this.runs.size;
  }

  private start(key: Key): Promise<void> {
    const running = Promise.resolve().then(() => this.work(key));
    const entry = { running, next: null as Promise<void> | null };
    this.runs.set(key, entry);
    const settle = () => {
      // The queued run, if any, replaces this one; otherwise the key is idle.
      if (this.runs.get(key) === entry && entry.next === null) this.runs.delete(key);
    };
    running.then(settle, settle);
    return running;
  }
}
