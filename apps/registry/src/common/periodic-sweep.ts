/**
 * A sweep run every `intervalMs` by a registry's background job: never two at once (a tick while
 * one runs is skipped), a failed sweep is handed to `onError` and the next tick tries again, the
 * timer never keeps the process alive, and stop() waits for the sweep in progress.
 */
export class PeriodicSweep {
  private timer: NodeJS.Timeout | null = null;
  private sweeping: Promise<unknown> | null = null;

  constructor(
    private readonly intervalMs: number,
    private readonly sweep: () => Promise<unknown>,
    private readonly onError: (err: unknown) => void,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      if (this.sweeping) return;
      this.sweeping = this.sweep()
        .catch((err: unknown) => { this.onError(err); })
        .finally(() => { this.sweeping = null; });
    }, this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.sweeping;
  }
}
