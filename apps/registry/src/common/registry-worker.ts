import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import type { z } from 'zod';
import type { QueueName } from '#contracts';
import { closeRedis, errorMessage, withTimeout, type AppLogger } from '#runtime';

/** How long shutdown waits for the jobs in hand before dropping them (BullMQ hands them out again). */
const CLOSE_TIMEOUT_MS = 5000;

export interface RegistryWorkerSpec {
  redisUrl: string;
  bullPrefix: string;
  queue: QueueName;
  /** What one job is, in log lines: "usage batch", "eval result". */
  subject: string;
  concurrency: number;
  process: (job: Job) => Promise<unknown>;
}

/**
 * A BullMQ consumer inside the registry: its own Redis connection (blocking reads need one that
 * retries without limit), one log line per outage, refused jobs (UnrecoverableError) logged as
 * errors and never retried, other failures left to BullMQ's retries.
 */
export class RegistryWorker {
  private constructor(
    private readonly worker: Worker,
    private readonly connection: Redis,
  ) {}

  static start(spec: RegistryWorkerSpec, logger: AppLogger): RegistryWorker {
    const connection = new Redis(spec.redisUrl, {
      connectionName: `promptgate-registry:${spec.queue}`,
      maxRetriesPerRequest: null,
      // Bounds how long a closed connection that never connected keeps a timer (default 2 s).
      disconnectTimeout: 200,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    });
    let reported = false;
    const reportOutage = (err: Error) => {
      if (reported) return;
      reported = true;
      logger.pino.warn({ err: { message: errorMessage(err) }, queue: spec.queue }, 'queue unreachable; retrying');
    };
    connection.on('error', reportOutage);
    connection.on('ready', () => { reported = false; });

    const worker = new Worker(spec.queue, spec.process, {
      connection, prefix: spec.bullPrefix, concurrency: spec.concurrency,
    });
    worker.on('error', reportOutage);
    worker.on('failed', (job, err) => {
      const context = { queue: spec.queue, job_id: job?.id, attempts_made: job?.attemptsMade, err: { message: errorMessage(err) } };
      if (err instanceof UnrecoverableError) logger.pino.error(context, `${spec.subject} refused; not retried`);
      else logger.pino.warn(context, `${spec.subject} not applied; BullMQ retries it if attempts remain`);
    });
    return new RegistryWorker(worker, connection);
  }

  /** Call before the database closes (onModuleDestroy), so the jobs in hand can finish. */
  async close(): Promise<void> {
    const { worker, connection } = this;
    // A graceful close waits on Redis forever when Redis is away, and a second close only joins it.
    if (connection.status === 'ready') await withTimeout(worker.close(), CLOSE_TIMEOUT_MS).catch(() => worker.disconnect());
    else await worker.close(true);
    await closeRedis(connection);
  }
}

/**
 * The job's payload checked against its contract. A wrong name or shape fails for good
 * (retrying cannot fix it); the reason names fields, never their values.
 */
export function readJob<T>(job: Job, name: string, schema: z.ZodType<T>, subject: string): T {
  if (job.name !== name) throw new UnrecoverableError(`unknown job name "${job.name}"`);
  const parsed = schema.safeParse(job.data);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(payload)'}: ${i.message}`);
  throw new UnrecoverableError(`malformed ${subject}: ${problems.join('; ')}`);
}
