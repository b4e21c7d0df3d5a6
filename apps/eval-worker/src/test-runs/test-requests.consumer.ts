import { Inject, Injectable } from '@nestjs/common';
import { DelayedError, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { dbId, QUEUES, redisNames, TEST_CASE_JOB, type TestCaseJob } from '#contracts';
import type { WorkerConfig } from '#config';
import { scrubProviderKeys } from '#domain';
import { AppLogger, QUEUE_CONNECTION, QueueConsumer, REDIS, type JobHandlers, type QueueConnection } from '#runtime';
import { WORKER_CONFIG } from '../worker-config.js';
import { RunSlots } from './run-slots.js';
import { TestCaseRunner } from './test-case-runner.js';
import { TestResultsPublisher } from './test-results-publisher.js';

/** A worker killed mid-case leaves the case stalled; it is handed out again this many times before BullMQ gives up. */
const MAX_STALLED_COUNT = 20;
/** A case over its run's bound waits this long (plus up to as much again, at random) before it asks for a slot again. */
const SLOT_WAIT_MS = 200;

export type TestCaseOutcome = 'succeeded' | 'failed';

/**
 * Consumes `test.requests`, one case of a run per job, and sends the case's one result to
 * `test.results`. Expected failures (a bad key, a refusal, a provider that never answered) are a
 * `failed` result and the job completes; only a result that cannot be sent (Redis away) throws, so
 * BullMQ retries the job within the attempts the registry gave it.
 *
 * The bounds:
 * - TEST_CASE_CONCURRENCY cases per worker, and TEST_RUN_MAX_PARALLEL cases of one run at a time
 *   across workers (RunSlots, leases in Redis). A case over the bound goes back to the queue,
 *   delayed (BullMQ's moveToDelayed + DelayedError, which costs no attempt), rather than holding
 *   a worker slot while it waits, so one large run does not starve the others.
 * - A provider call: TEST_CALL_TIMEOUT_MS, TEST_CALL_MAX_ATTEMPTS calls with backoff (retry-after
 *   honoured). A provider that never answers fails a case in 30 s x 3 plus 3 s of backoff by
 *   default; the run is then marked in Redis and its other cases fail at once, so the whole run
 *   fails inside 2 minutes.
 * - A killed worker: the case's BullMQ lock (TEST_LOCK_MS) and its run slot lapse, the case is
 *   handed out again (stalled-job handling) and runs from the start; the registry applies one
 *   result per (run_id, case_id), and the result's job id makes a duplicate still queued a no-op.
 */
@Injectable()
export class TestRequestsConsumer extends QueueConsumer<typeof QUEUES.testRequests> {
  private readonly results: TestResultsPublisher;
  private readonly slots: RunSlots;

  constructor(
    @Inject(WORKER_CONFIG) config: WorkerConfig,
    @Inject(QUEUE_CONNECTION) connection: QueueConnection,
    @Inject(REDIS) redis: Redis,
    logger: AppLogger,
    private readonly runner: TestCaseRunner,
  ) {
    super({
      ...connection, queue: QUEUES.testRequests, concurrency: config.TEST_CASE_CONCURRENCY,
      locks: { lockDuration: config.TEST_LOCK_MS, stalledInterval: config.TEST_LOCK_MS, maxStalledCount: MAX_STALLED_COUNT },
      // Error messages can quote a provider's answer, and with it a key.
      redact: (message) => scrubProviderKeys(message),
    }, logger);
    this.results = new TestResultsPublisher(connection);
    this.slots = new RunSlots(redis, redisNames(config.REDIS_PREFIX).testRunSlots, config.TEST_RUN_MAX_PARALLEL, config.TEST_LOCK_MS);
  }

  protected handlers(): JobHandlers<typeof QUEUES.testRequests> {
    return { [TEST_CASE_JOB]: (request, job) => this.runCase(request, job) };
  }

  /** Closes the consumer first, so the cases in hand can still send their results. */
  override async onModuleDestroy(): Promise<void> {
    await super.onModuleDestroy();
    await this.results.close();
  }

  /** A refused request whose run, case and index are readable gets a `failed` result, so its case never sits pending forever. */
  protected override async onMalformed(data: unknown, reason: string): Promise<void> {
    const ids = idsOf(data);
    if (ids === null) return;
    const now = new Date().toISOString();
    await this.results.send({ v: 1, status: 'failed', ...ids, error: `the test case job was refused: ${reason}`.slice(0, 2000), started_at: now, finished_at: now });
  }

  private async runCase(request: TestCaseJob, job: Job): Promise<TestCaseOutcome> {
    const { run_id: runId, case_id: caseId } = request;
    if (!(await this.slots.acquire(runId, caseId))) {
      await job.moveToDelayed(Date.now() + SLOT_WAIT_MS + Math.floor(Math.random() * SLOT_WAIT_MS), job.token);
      throw new DelayedError();
    }
    const stopRenewing = this.slots.keepAlive(runId, caseId);
    try {
      const result = await this.runner.run(request);
      await this.results.send(result);
      const log = { run_id: runId, case_id: caseId, provider: request.answer.provider, model: request.answer.model };
      if (result.status === 'succeeded') this.logger.pino.info({ ...log, verdict: result.verdict }, 'test case succeeded');
      else this.logger.pino.info({ ...log, error: result.error }, 'test case failed');
      return result.status;
    } finally {
      stopRenewing();
      // A slot not given back (Redis away) lapses with its lease.
      await this.slots.release(runId, caseId).catch(() => undefined);
    }
  }
}

function idsOf(data: unknown): { run_id: string; case_id: string; index: number } | null {
  if (typeof data !== 'object' || data === null) return null;
  const { run_id: runId, case_id: caseId, index } = data as { run_id?: unknown; case_id?: unknown; index?: unknown };
  if (!dbId().safeParse(runId).success || !dbId().safeParse(caseId).success) return null;
  if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index > 10_000) return null;
  return { run_id: runId as string, case_id: caseId as string, index };
}
