import { Queue, Worker, type Job, type JobsOptions } from 'bullmq';
import { Redis } from 'ioredis';
import { EVAL_RESULT_JOB, type EvalRequestJob, type EvalResultJob, QUEUES, redisNames } from '#contracts';
import { TEST_REDIS_URL } from '../../../../test/support/redis.js';
import { addAndAwaitConsumed } from './consumed-job.js';

/** An eval job as the eval worker receives it from Redis. */
export interface TakenEvalJob {
  id: string;
  name: string;
  data: EvalRequestJob;
  opts: JobsOptions;
}

/**
 * Plays the eval worker's part with BullMQ itself: takes every job from `eval.requests` (kept
 * here by eval id) and sends results on `eval.results`.
 */
export class EvalQueuesDouble {
  readonly taken = new Map<string, TakenEvalJob>();
  private readonly connection: Redis;
  private readonly worker: Worker;
  private readonly results: Queue;

  constructor(redisPrefix: string) {
    const prefix = redisNames(redisPrefix).bullPrefix;
    this.connection = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    this.worker = new Worker(QUEUES.evalRequests, async (job: Job) => {
      this.taken.set(job.id!, { id: job.id!, name: job.name, data: job.data as EvalRequestJob, opts: job.opts });
    }, { connection: this.connection, prefix });
    this.results = new Queue(QUEUES.evalResults, { connection: this.connection, prefix });
  }

  /** The job of this eval, once the worker double has taken it. */
  async jobOf(evalId: string): Promise<TakenEvalJob> {
    for (let i = 0; i < 200; i += 1) {
      const job = this.taken.get(evalId);
      if (job) return job;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`no eval job ${evalId} was queued`);
  }

  /** The jobs taken for one version, in the order they arrived. */
  jobsOfVersion(versionId: string): TakenEvalJob[] {
    return [...this.taken.values()].filter((j) => j.data.version_id === versionId);
  }

  /** Sends a result and waits until the registry has consumed it: 'completed' or 'failed'. */
  sendResult(data: EvalResultJob | Record<string, unknown>, name = EVAL_RESULT_JOB): Promise<{ state: string; job: Job }> {
    return addAndAwaitConsumed(this.results, name, data);
  }

  async close(): Promise<void> {
    await this.worker.close();
    await this.results.close();
    this.connection.disconnect();
  }
}

const RULES_DIMENSIONS = ['role_clarity', 'instruction_quality', 'output_format', 'specificity', 'variable_usage', 'context_provision', 'length', 'safety'];

/** A succeeded result of `score` with the rules dimensions, each scored `score`. */
export function succeededResult(evalId: string, score: number, extra: Partial<EvalResultJob> = {}): EvalResultJob {
  return {
    v: 1, status: 'succeeded', eval_id: evalId, model: null, score,
    dimensions: RULES_DIMENSIONS.map((name, i) => ({ name, score, reason: `${name} reason`, ...(i === 0 ? { suggestion: `Improve ${name}.` } : {}) })),
    suggestions: ['Say who the assistant is.'],
    started_at: '2025-04-01T10:00:00.000Z', finished_at: '2025-04-01T10:00:01.000Z',
    ...extra,
  } as EvalResultJob;
}
