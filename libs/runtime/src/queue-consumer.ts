import type { OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { UnrecoverableError, Worker, type Job, type WorkerOptions } from 'bullmq';
import { Redis } from 'ioredis';
import { isJobName, JOBS, jobNamesOf, type JobName, type JobNameOf, type JobPayload, type QueueName } from '#contracts';
import { closeRedis, withTimeout } from './connections.js';
import { errorMessage, type AppLogger } from './logger.js';
import type { QueueConnection } from './queue-connection.js';

/** How long shutdown waits for the jobs in hand before dropping them (BullMQ hands them out again). */
const CLOSE_TIMEOUT_MS = 5000;

/** What one job of that name does; its return value is the job's outcome, kept by BullMQ. */
export type JobHandler<N extends JobName> = (payload: JobPayload<N>, job: Job) => Promise<unknown>;
/** One handler per job of the queue: a job without one is a start-up error, not a stuck queue. */
export type JobHandlers<Q extends QueueName> = { [N in JobNameOf<Q>]: JobHandler<N> };

export interface QueueConsumerSettings<Q extends QueueName> extends QueueConnection {
  queue: Q;
  concurrency: number;
  /** BullMQ's lock and stall settings, where its defaults do not fit (evals that run for a minute). */
  locks?: Pick<WorkerOptions, 'lockDuration' | 'stalledInterval' | 'maxStalledCount'>;
  /** Cleans an error message before it is logged (the eval worker scrubs provider keys). */
  redact?: (message: string) => string;
}

/** Raised at start-up when a consumer does not handle every job of its queue, or handles one of another. */
export class JobHandlersError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JobHandlersError';
  }
}

/** Fails unless `handlers` has a function for every job of `queue` and nothing else. */
export function checkJobHandlers(queue: QueueName, handlers: Record<string, unknown>): void {
  const expected: string[] = jobNamesOf(queue);
  const missing = expected.filter((name) => typeof handlers[name] !== 'function');
  if (missing.length > 0) throw new JobHandlersError(`the ${queue} consumer has no handler for job ${missing.map((n) => `"${n}"`).join(', ')}`);
  const stray = Object.keys(handlers).filter((name) => !expected.includes(name));
  if (stray.length > 0) throw new JobHandlersError(`the ${queue} consumer has a handler for job ${stray.map((n) => `"${n}"`).join(', ')}, which is not a job of ${queue}`);
}

/**
 * The job's payload checked against its contract. A wrong name or shape fails for good (retrying
 * cannot fix it); the reason names fields and zod's issue codes, never the values.
 */
export function readJob<N extends JobName>(name: N, job: Pick<Job, 'name' | 'data'>): JobPayload<N> {
  if (job.name !== name) throw new UnrecoverableError(`unknown job name "${job.name}"`);
  const parsed = JOBS[name].schema.safeParse(job.data);
  if (parsed.success) return parsed.data as JobPayload<N>;
  const problems = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(payload)'}: ${i.code}`);
  throw new UnrecoverableError(`malformed ${JOBS[name].subject}: ${problems.join('; ')}`);
}

/**
 * A BullMQ consumer of one queue, started and stopped with the Nest application: its own Redis
 * connection (blocking reads need one that retries without limit), one log line per outage, each
 * job checked against its contract and given to the handler of its name, refused jobs
 * (UnrecoverableError) logged as errors and never retried, other failures left to BullMQ's retries.
 * A subclass gives the handlers; a job of the queue without one fails the application's start.
 */
export abstract class QueueConsumer<Q extends QueueName> implements OnApplicationBootstrap, OnModuleDestroy {
  private running: { worker: Worker; connection: Redis } | null = null;

  protected constructor(
    private readonly settings: QueueConsumerSettings<Q>,
    protected readonly logger: AppLogger,
  ) {}

  /** One handler per job of the queue; each returns the job's outcome, and throws only for what a retry may fix. */
  protected abstract handlers(): JobHandlers<Q>;

  /** Runs when a job breaks its contract, before it fails for good (the eval worker reports the eval failed). */
  protected onMalformed?(data: unknown, reason: string): Promise<void>;

  /** Throws JobHandlersError, before connecting, when a job of the queue has no handler. */
  onApplicationBootstrap(): void {
    if (this.running) return;
    const { settings, logger } = this;
    const handlers = this.handlers() as Record<string, JobHandler<JobName>>;
    checkJobHandlers(settings.queue, handlers);
    const redact = settings.redact ?? ((message: string) => message);
    const connection = new Redis(settings.redisUrl, {
      connectionName: `${settings.client}:${settings.queue}`,
      maxRetriesPerRequest: null,
      connectTimeout: 2000,
      // Bounds how long a closed connection that never connected keeps a timer (default 2 s).
      disconnectTimeout: 200,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    });
    let reported = false;
    const reportOutage = (err: Error) => {
      if (reported) return;
      reported = true;
      logger.pino.warn({ err: { message: redact(errorMessage(err)) }, queue: settings.queue }, 'queue unreachable; retrying');
    };
    connection.on('error', reportOutage);
    connection.on('ready', () => { reported = false; });

    const worker = new Worker(settings.queue, (job: Job) => this.process(job, handlers), {
      connection, prefix: settings.bullPrefix, concurrency: settings.concurrency, ...settings.locks,
    });
    worker.on('error', reportOutage);
    worker.on('failed', (job, err) => {
      const subject = job && isJobName(job.name) ? JOBS[job.name].subject : 'job';
      const context = { queue: settings.queue, job_id: job?.id, attempts_made: job?.attemptsMade, err: { message: redact(errorMessage(err)) } };
      if (err instanceof UnrecoverableError) logger.pino.error(context, `${subject} refused; not retried`);
      else logger.pino.warn(context, `${subject} failed; BullMQ retries it if attempts remain`);
    });
    this.running = { worker, connection };
  }

  /** Runs before the connections the handlers use close (onApplicationShutdown), so the jobs in hand can finish. */
  async onModuleDestroy(): Promise<void> {
    const running = this.running;
    this.running = null;
    if (!running) return;
    const { worker, connection } = running;
    // A graceful close waits on Redis forever when Redis is away, and a second close only joins it.
    if (connection.status === 'ready') await withTimeout(worker.close(), CLOSE_TIMEOUT_MS).catch(() => worker.disconnect());
    else await worker.close(true);
    await closeRedis(connection);
  }

  private async process(job: Job, handlers: Record<string, JobHandler<JobName>>): Promise<unknown> {
    const name = job.name;
    if (!isJobName(name) || !Object.hasOwn(handlers, name)) throw new UnrecoverableError(`unknown job name "${name}"`);
    let payload: JobPayload<JobName>;
    try {
      payload = readJob(name, job);
    } catch (err) {
      await this.onMalformed?.(job.data, errorMessage(err));
      throw err;
    }
    return handlers[name](payload, job);
  }
}
