import { randomUUID } from 'node:crypto';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { EVAL_REQUEST_JOB, EVAL_RESULT_JOB, evalResultJobSchema, QUEUES, type EvalRequestJob, type EvalResultJob, type Provider } from '#contracts';
import { evalJobKeyBinding, sealSecret } from '#domain';
import { namespaceKeys } from '#runtime';

/**
 * Both ends of the worker's queues for tests that stand in for the registry: add eval requests as
 * the registry does, and collect what arrives on `eval.results`.
 */
export type FinalResult = Extract<EvalResultJob, { status: 'succeeded' | 'failed' }>;

export interface EvalQueues {
  requests: Queue;
  /** Every result received, in arrival order (running and final). */
  results: EvalResultJob[];
  finals(evalId: string): FinalResult[];
  /** Resolves with the first final result of `evalId`. */
  finalResult(evalId: string, timeoutMs?: number): Promise<FinalResult>;
  addRules(content: string): Promise<string>;
  addJudge(options: JudgeJobOptions): Promise<string>;
  close(): Promise<void>;
}

export interface JudgeJobOptions {
  provider: Provider;
  apiKey: string;
  encryptionKey: Buffer;
  content?: string;
  model?: string | null;
  expiresAt?: string;
  /** Chosen by the caller when it must know the id before the job exists. */
  evalId?: string;
}

const REQUEST_OPTIONS = { attempts: 3, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: true, removeOnFail: true, stackTraceLimit: 0 };

export async function openEvalQueues(redisUrl: string, prefix: string): Promise<EvalQueues> {
  const bullPrefix = `{${prefix}}`;
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const requests = new Queue(QUEUES.evalRequests, { connection, prefix: bullPrefix });
  const results: EvalResultJob[] = [];
  let waiters: { evalId: string; resolve: (r: FinalResult) => void }[] = [];
  const consumer = new Worker(QUEUES.evalResults, async (job) => {
    if (job.name !== EVAL_RESULT_JOB) throw new Error(`unexpected result job ${job.name}`);
    const result = evalResultJobSchema.parse(job.data);
    results.push(result);
    if (result.status === 'running') return;
    const matched = waiters.filter((w) => w.evalId === result.eval_id);
    waiters = waiters.filter((w) => w.evalId !== result.eval_id);
    for (const w of matched) w.resolve(result);
  }, { connection: new Redis(redisUrl, { maxRetriesPerRequest: null }), prefix: bullPrefix, concurrency: 20 });

  const finals = (evalId: string) => results.filter((r): r is FinalResult => r.eval_id === evalId && r.status !== 'running');
  const add = async (job: EvalRequestJob) => {
    await requests.add(EVAL_REQUEST_JOB, job, { ...REQUEST_OPTIONS, jobId: job.eval_id });
    return job.eval_id;
  };

  return {
    requests,
    results,
    finals,
    finalResult(evalId, timeoutMs = 30_000) {
      const [seen] = finals(evalId);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no final result for eval ${evalId} within ${timeoutMs} ms`)), timeoutMs);
        waiters.push({ evalId, resolve: (r) => { clearTimeout(timer); resolve(r); } });
      });
    },
    addRules(content) {
      return add({ v: 1, mode: 'rules', eval_id: randomUUID(), workspace_id: randomUUID(), version_id: randomUUID(), content });
    },
    addJudge(options) {
      const evalId = options.evalId ?? randomUUID();
      const expiresAt = options.expiresAt ?? new Date(Date.now() + 30 * 60_000).toISOString();
      return add({
        v: 1, mode: 'judge', eval_id: evalId, workspace_id: randomUUID(), version_id: randomUUID(),
        content: options.content ?? `You are a support agent. Answer billing questions. (eval ${evalId})`,
        provider: options.provider, model: options.model ?? null,
        sealed_key: sealSecret(options.encryptionKey, options.apiKey, evalJobKeyBinding(evalId, expiresAt)), key_expires_at: expiresAt,
      });
    },
    async close() {
      await consumer.close();
      await consumer.disconnect();
      await requests.close();
      connection.disconnect();
    },
  };
}

/** Every key name and every value under a test's Redis namespace, as text, to search for secrets. */
export async function redisNamespaceText(redisUrl: string, prefix: string): Promise<string> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  const parts: string[] = [];
  try {
    for await (const keys of namespaceKeys(redis, prefix)) {
      for (const key of keys) {
        parts.push(key);
        const type = await redis.type(key);
        if (type === 'string') parts.push((await redis.get(key)) ?? '');
        else if (type === 'hash') parts.push(JSON.stringify(await redis.hgetall(key)));
        else if (type === 'list') parts.push(JSON.stringify(await redis.lrange(key, 0, -1)));
        else if (type === 'set') parts.push(JSON.stringify(await redis.smembers(key)));
        else if (type === 'zset') parts.push(JSON.stringify(await redis.zrange(key, 0, -1)));
        else if (type === 'stream') parts.push(JSON.stringify(await redis.xrange(key, '-', '+')));
      }
    }
  } finally {
    redis.disconnect();
  }
  return parts.join('\n');
}
