import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { dbId, EVAL_REQUEST_JOB, evalRequestJobSchema, QUEUES, redisNames } from '#contracts';
import type { WorkerConfig } from '#config';
import { scrubProviderKeys } from '#domain';
import { AppLogger, closeRedis, errorMessage, REDIS, withTimeout } from '#runtime';
import { WORKER_CONFIG } from '../worker-config.js';
import { EvalResultsPublisher } from './eval-results-publisher.js';
import { EvalRunner } from './eval-runner.js';

/** How long shutdown waits for the evals in hand before dropping them (their locks lapse and another worker takes them). */
const CLOSE_TIMEOUT_MS = 5000;
/** A worker killed mid-eval leaves the eval stalled; it is handed out again this many times before BullMQ gives up. */
const MAX_STALLED_COUNT = 20;

export type EvalRequestOutcome = 'succeeded' | 'failed';

/**
 * Consumes `eval.requests`: sends `running`, computes the eval, sends the final result to
 * `eval.results`. Expected failures are a `failed` result and the request completes; only a result
 * that cannot be sent (Redis away) throws, so BullMQ retries the request.
 */
@Injectable()
export class EvalRequestsConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  private connection: Redis | null = null;
  private worker: Worker | null = null;
  private readonly results: EvalResultsPublisher;

  constructor(
    @Inject(WORKER_CONFIG) private readonly config: WorkerConfig,
    @Inject(REDIS) redis: Redis,
    private readonly runner: EvalRunner,
    private readonly logger: AppLogger,
  ) {
    // The shared client already reports its outages; the queue's copies of them add nothing.
    this.results = new EvalResultsPublisher(redis, redisNames(config.REDIS_PREFIX).bullPrefix, () => undefined);
  }

  onApplicationBootstrap(): void {
    // BullMQ's blocking reads need a connection of their own that retries commands without limit.
    const connection = new Redis(this.config.REDIS_URL, {
      connectionName: 'promptgate-eval-worker-requests',
      maxRetriesPerRequest: null,
      connectTimeout: 2000,
      // Bounds how long a closed connection keeps a timer on a socket that never connected (default 2 s).
      disconnectTimeout: 200,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    });
    let reported = false;
    const reportOutage = (err: Error) => {
      if (reported) return;
      reported = true;
      this.logger.pino.warn({ err: { message: scrubProviderKeys(errorMessage(err)) }, queue: QUEUES.evalRequests }, 'eval queue unreachable; retrying');
    };
    connection.on('error', reportOutage);
    connection.on('ready', () => { reported = false; });

    const worker = new Worker(QUEUES.evalRequests, (job: Job) => this.process(job), {
      connection,
      prefix: redisNames(this.config.REDIS_PREFIX).bullPrefix,
      concurrency: this.config.EVAL_CONCURRENCY,
      lockDuration: this.config.EVAL_LOCK_MS,
      stalledInterval: this.config.EVAL_LOCK_MS,
      maxStalledCount: MAX_STALLED_COUNT,
    });
    worker.on('error', reportOutage);
    worker.on('failed', (job, err) => {
      const context = { queue: QUEUES.evalRequests, job_id: job?.id, attempts_made: job?.attemptsMade, err: { message: scrubProviderKeys(errorMessage(err)) } };
      if (err instanceof UnrecoverableError) this.logger.pino.error(context, 'eval request refused; not retried');
      else this.logger.pino.warn(context, 'eval result not sent; BullMQ retries the request if attempts remain');
    });
    this.connection = connection;
    this.worker = worker;
  }

  async onModuleDestroy(): Promise<void> {
    const { worker, connection } = this;
    this.worker = null;
    this.connection = null;
    if (worker && connection) {
      // A graceful close waits on Redis forever when Redis is away, and a second close only joins it.
      if (connection.status === 'ready') await withTimeout(worker.close(), CLOSE_TIMEOUT_MS).catch(() => worker.close(true));
      else await worker.close(true);
    }
    await withTimeout(this.results.close(), CLOSE_TIMEOUT_MS).catch(() => undefined);
    if (connection) await closeRedis(connection);
  }

  /** A refused request whose eval id is readable gets a `failed` result, so its eval never sits queued forever. */
  private async failRefusedRequest(data: unknown, reason: string): Promise<void> {
    const evalId = evalIdOf(data);
    if (evalId === null) return;
    const now = new Date().toISOString();
    await this.results.send({ v: 1, status: 'failed', eval_id: evalId, model: null, error: reason, started_at: now, finished_at: now });
  }

  private async process(job: Job): Promise<EvalRequestOutcome> {
    if (job.name !== EVAL_REQUEST_JOB) throw new UnrecoverableError(`unknown job name "${job.name}"`);
    const parsed = evalRequestJobSchema.safeParse(job.data);
    if (!parsed.success) {
      // Paths and messages only: the payload's values (a sealed key among them) never reach a log.
      const problems = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(payload)'}: ${i.code}`);
      const reason = `malformed eval request: ${problems.join('; ')}`;
      await this.failRefusedRequest(job.data, reason);
      throw new UnrecoverableError(reason);
    }
    const request = parsed.data;
    const startedAt = new Date().toISOString();
    await this.results.send({ v: 1, status: 'running', eval_id: request.eval_id, started_at: startedAt });
    const result = await this.runner.run(request, job.id ?? request.eval_id, startedAt);
    await this.results.send(result);
    const log = { eval_id: request.eval_id, mode: request.mode, provider: request.mode === 'judge' ? request.provider : undefined, model: result.model };
    if (result.status === 'succeeded') this.logger.pino.info({ ...log, score: result.score }, 'eval succeeded');
    else this.logger.pino.info({ ...log, error: result.error }, 'eval failed');
    return result.status;
  }
}

function evalIdOf(data: unknown): string | null {
  const id = typeof data === 'object' && data !== null ? (data as { eval_id?: unknown }).eval_id : undefined;
  return dbId().safeParse(id).success ? (id as string) : null;
}
