import type { z } from 'zod';
import { EVAL_REQUEST_JOB, EVAL_RESULT_JOB, evalRequestJobSchema, evalResultJobSchema } from './evals.js';
import { QUEUES, SERVE_USAGE_JOB, serveUsageJobSchema, type QueueName } from './queues.js';
import { TEST_CASE_JOB, TEST_CASE_RESULT_JOB, testCaseJobSchema, testCaseResultJobSchema } from './test-runs.js';
import { WEBHOOK_DELIVERY_JOB, webhookDeliveryJobSchema } from './webhooks.js';

export interface JobSpec {
  queue: QueueName;
  schema: z.ZodType;
  /** What one job is, in log lines and refusal reasons: "usage batch", "eval result". */
  subject: string;
}

/**
 * Every job: its queue and its payload's contract, so a producer and a consumer look both up from
 * the name. Job names carry their version and, like queue names, are never renamed once shipped.
 */
export const JOBS = {
  [EVAL_REQUEST_JOB]: { queue: QUEUES.evalRequests, schema: evalRequestJobSchema, subject: 'eval request' },
  [EVAL_RESULT_JOB]: { queue: QUEUES.evalResults, schema: evalResultJobSchema, subject: 'eval result' },
  [SERVE_USAGE_JOB]: { queue: QUEUES.serveUsage, schema: serveUsageJobSchema, subject: 'usage batch' },
  [WEBHOOK_DELIVERY_JOB]: { queue: QUEUES.webhookDeliveries, schema: webhookDeliveryJobSchema, subject: 'webhook delivery' },
  [TEST_CASE_JOB]: { queue: QUEUES.testRequests, schema: testCaseJobSchema, subject: 'test case' },
  [TEST_CASE_RESULT_JOB]: { queue: QUEUES.testResults, schema: testCaseResultJobSchema, subject: 'test case result' },
} as const satisfies Record<string, JobSpec>;

export type JobName = keyof typeof JOBS;
/** The payload of one job, looked up from its name. */
export type JobPayload<N extends JobName> = z.output<(typeof JOBS)[N]['schema']>;
/** The names of the jobs that travel on one queue. */
export type JobNameOf<Q extends QueueName> = { [N in JobName]: (typeof JOBS)[N]['queue'] extends Q ? N : never }[JobName];

export function isJobName(name: string): name is JobName {
  return Object.hasOwn(JOBS, name);
}

/** The names of the jobs of one queue, as the registry lists them. */
export function jobNamesOf<Q extends QueueName>(queue: Q): JobNameOf<Q>[] {
  return (Object.keys(JOBS) as JobName[]).filter((name) => JOBS[name].queue === queue) as JobNameOf<Q>[];
}
