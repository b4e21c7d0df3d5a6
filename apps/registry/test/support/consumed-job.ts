import type { Job, Queue } from 'bullmq';

/**
 * Adds a job (3 attempts, 100 ms apart) and waits until its consumer has settled it: the state
 * 'completed' or 'failed' with the job as stored then, or 'still pending' after about 5 s.
 */
export async function addAndAwaitConsumed(queue: Queue, name: string, data: unknown): Promise<{ state: string; job: Job }> {
  const job = await queue.add(name, data, { attempts: 3, backoff: { type: 'fixed', delay: 100 } });
  for (let i = 0; i < 200; i += 1) {
    const state = await job.getState();
    if (state === 'completed' || state === 'failed') return { state, job: (await queue.getJob(job.id!))! };
    await new Promise((r) => setTimeout(r, 25));
  }
  return { state: 'still pending', job };
}
