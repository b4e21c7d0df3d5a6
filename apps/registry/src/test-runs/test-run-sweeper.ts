import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { AppLogger } from '#runtime';
import { PeriodicSweep } from '../common/periodic-sweep.js';
import { REGISTRY_CONFIG, type RegistryConfig } from '../common/config.js';
import { TestRunOutcomes } from './test-run-outcomes.js';
import { TestRunsRepository } from './test-runs.repository.js';

const SWEEP_INTERVAL_MS = 15_000;

export const stalledRunError = (seconds: number) =>
  `No case result arrived for ${seconds} s (plus 2 s per case still waiting): the run's jobs were lost or the worker is down. Start the run again.`;

/**
 * Fails test runs that stopped moving: the worker bounds its attempts and reports a failed case on
 * the last one, so a run stalls only when jobs are lost (Redis flushed, a worker gone for good).
 * A run is stalled when no result has arrived for TEST_RUN_STALL_SECONDS (120) plus 2 s per case
 * still without one; every registry sweeps every 15 s, each run is failed by one of them (row
 * lock, SKIP LOCKED), audited and announced like any failed run.
 */
@Injectable()
export class TestRunSweeper implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly periodic = new PeriodicSweep(
    SWEEP_INTERVAL_MS,
    () => this.sweep(new Date()),
    (err) => this.logger.pino.warn({ err: { message: (err as Error).message } }, 'stalled test runs not swept'),
  );

  constructor(
    private readonly runs: TestRunsRepository,
    private readonly outcomes: TestRunOutcomes,
    private readonly logger: AppLogger,
    @Inject(REGISTRY_CONFIG) private readonly config: RegistryConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.periodic.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.periodic.stop();
  }

  /** Fails the runs stalled as of `now`; returns how many it failed. */
  async sweep(now: Date): Promise<number> {
    const seconds = this.config.TEST_RUN_STALL_SECONDS;
    let failed = 0;
    for (const id of await this.runs.stalledRunIds(now, seconds)) {
      if (await this.outcomes.fail(id, stalledRunError(seconds), (run) => this.runs.isStalled(run, now, seconds), true)) failed += 1;
    }
    if (failed > 0) this.logger.pino.warn({ failed }, 'stalled test runs failed');
    return failed;
  }
}
