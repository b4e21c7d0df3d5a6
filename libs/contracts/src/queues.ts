import { z } from 'zod';
import { dbId } from './ids.js';

/**
 * BullMQ queue names. Shipped names are never renamed: jobs already waiting in Redis under the
 * old name would be orphaned. All live under the deployment's `{prefix}` hash tag.
 */
export const QUEUES = {
  evalRequests: 'eval.requests',
  evalResults: 'eval.results',
  serveUsage: 'serve.usage',
  webhookDeliveries: 'webhook.deliveries',
  testRequests: 'test.requests',
  testResults: 'test.results',
} as const;
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

/**
 * `serve.usage` v1 (gateway -> registry): serves counted in memory by one gateway since its last
 * flush, per API key and version. One job is applied in one transaction, so a retried job never
 * counts twice.
 */
export const serveUsageJobSchema = z.object({
  v: z.literal(1),
  gateway_id: z.string().min(1).max(200),
  counts: z
    .array(
      z.object({
        api_key_id: dbId(),
        version_id: dbId(),
        count: z.number().int().positive(),
        last_served_at: z.string().datetime(),
      }),
    )
    .min(1)
    .max(10_000),
});
export type ServeUsageJob = z.infer<typeof serveUsageJobSchema>;
export const SERVE_USAGE_JOB = 'serve.usage.v1';
