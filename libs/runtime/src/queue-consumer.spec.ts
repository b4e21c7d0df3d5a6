import { randomUUID } from 'node:crypto';
import { UnrecoverableError } from 'bullmq';
import { EVAL_REQUEST_JOB, EVAL_RESULT_JOB, JOBS, jobNamesOf, QUEUES, SERVE_USAGE_JOB, WEBHOOK_DELIVERY_JOB } from '#contracts';
import { AppLogger } from './logger.js';
import { checkJobHandlers, JobHandlersError, QueueConsumer, readJob, type JobHandlers } from './queue-consumer.js';

const handle = async () => 'done';
const logger = AppLogger.create('silent', 'queue-consumer-spec');

describe('the job registry', () => {
  it.each([
    [QUEUES.evalRequests, [EVAL_REQUEST_JOB]],
    [QUEUES.evalResults, [EVAL_RESULT_JOB]],
    [QUEUES.serveUsage, [SERVE_USAGE_JOB]],
    [QUEUES.webhookDeliveries, [WEBHOOK_DELIVERY_JOB]],
  ])('puts the jobs of %s on it, under their shipped names', (queue, names) => {
    expect(jobNamesOf(queue)).toEqual(names);
  });

  it('gives every queue at least one job, and every job a queue', () => {
    for (const queue of Object.values(QUEUES)) expect(jobNamesOf(queue).length).toBeGreaterThan(0);
    for (const spec of Object.values(JOBS)) expect(Object.values(QUEUES)).toContain(spec.queue);
  });
});

describe('checkJobHandlers: no missing handlers', () => {
  it.each(Object.values(QUEUES))('refuses a consumer of %s without a handler, naming the job', (queue) => {
    const [name] = jobNamesOf(queue);
    expect(() => checkJobHandlers(queue, {})).toThrow(JobHandlersError);
    expect(() => checkJobHandlers(queue, {})).toThrow(`the ${queue} consumer has no handler for job "${name}"`);
    expect(() => checkJobHandlers(queue, { [name]: 'not a function' })).toThrow(`no handler for job "${name}"`);
  });

  it('takes one handler per job of the queue', () => {
    for (const queue of Object.values(QUEUES)) {
      expect(() => checkJobHandlers(queue, Object.fromEntries(jobNamesOf(queue).map((n) => [n, handle])))).not.toThrow();
    }
  });

  it('refuses a handler for a job of another queue', () => {
    expect(() => checkJobHandlers(QUEUES.evalResults, { [EVAL_RESULT_JOB]: handle, [EVAL_REQUEST_JOB]: handle }))
      .toThrow(`the eval.results consumer has a handler for job "${EVAL_REQUEST_JOB}", which is not a job of eval.results`);
  });

  it('fails the start of a consumer, before it connects, when a job of its queue has no handler', async () => {
    class UsageConsumer extends QueueConsumer<typeof QUEUES.serveUsage> {
      constructor(private readonly given: Record<string, unknown>) {
        // Port 1 refuses at once: a consumer that got as far as connecting would log its outage, not throw.
        super({ redisUrl: 'redis://127.0.0.1:1', bullPrefix: '{never}', client: 'spec', queue: QUEUES.serveUsage, concurrency: 1 }, logger);
      }

      protected handlers(): JobHandlers<typeof QUEUES.serveUsage> {
        return this.given as JobHandlers<typeof QUEUES.serveUsage>;
      }
    }
    expect(() => new UsageConsumer({}).onApplicationBootstrap()).toThrow(`no handler for job "${SERVE_USAGE_JOB}"`);
    const complete = new UsageConsumer({ [SERVE_USAGE_JOB]: handle });
    expect(() => complete.onApplicationBootstrap()).not.toThrow();
    await complete.onModuleDestroy();
  });
});

describe('readJob: the contract check on the consuming end', () => {
  const delivery = { v: 1, delivery_id: randomUUID() };

  it('gives the payload of a job that keeps its contract', () => {
    expect(readJob(WEBHOOK_DELIVERY_JOB, { name: WEBHOOK_DELIVERY_JOB, data: delivery })).toEqual(delivery);
  });

  it('refuses another job name for good', () => {
    expect(() => readJob(WEBHOOK_DELIVERY_JOB, { name: 'webhook.delivery.v0', data: delivery })).toThrow(UnrecoverableError);
    expect(() => readJob(WEBHOOK_DELIVERY_JOB, { name: 'webhook.delivery.v0', data: delivery })).toThrow('unknown job name "webhook.delivery.v0"');
  });

  it('refuses a payload that breaks the contract for good, naming fields and issue codes but never the values', () => {
    const secret = `sk-secret-${randomUUID()}`;
    let refusal: unknown;
    try {
      readJob(WEBHOOK_DELIVERY_JOB, { name: WEBHOOK_DELIVERY_JOB, data: { v: 2, delivery_id: secret } });
    } catch (err) {
      refusal = err;
    }
    expect(refusal).toBeInstanceOf(UnrecoverableError);
    expect((refusal as Error).message).toBe('malformed webhook delivery: v: invalid_value; delivery_id: invalid_format');
    expect((refusal as Error).message).not.toContain(secret);
  });
});
