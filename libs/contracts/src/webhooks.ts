import { z } from 'zod';
import { dbId } from './ids.js';

/** The events a webhook subscription may ask for. Shipped names are never renamed. */
export const WEBHOOK_EVENTS = [
  'version.submitted',
  'version.approved',
  'version.rejected',
  'version.rollback',
  'eval.completed',
  'eval.failed',
  'test_run.completed',
  'test_run.failed',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENTS)[number];

/**
 * `webhook.deliveries` v1 (registry outbox relay -> registry delivery worker): one job per
 * delivery row, the row's id as job id. The payload and the secret stay in PostgreSQL.
 */
export const webhookDeliveryJobSchema = z.object({
  v: z.literal(1),
  delivery_id: dbId(),
});
export type WebhookDeliveryJob = z.infer<typeof webhookDeliveryJobSchema>;
export const WEBHOOK_DELIVERY_JOB = 'webhook.delivery.v1';

/** What a version event tells a subscriber (the `data` of the body). */
export interface VersionEventData {
  workspace: { id: string; name: string };
  environment: { id: string; name: string };
  prompt: { id: string; key: string };
  version: { id: string; version_num: number; status: string };
  actor: { email: string | null };
  note: string | null;
}

/** What an eval event tells a subscriber: the result, and the gate it counts towards. */
export interface EvalEventData {
  workspace: { id: string; name: string };
  environment: { id: string; name: string };
  prompt: { id: string; key: string };
  version: { id: string; version_num: number; status: string };
  eval: {
    id: string;
    mode: string;
    provider: string | null;
    model: string | null;
    status: string;
    score: number | null;
    error: string | null;
  };
  threshold: number;
  eval_required: boolean;
}

/** What a test run event tells a subscriber (API.md): the run's outcome, for the version and prompt it tested. */
export interface TestRunEventData {
  test_run_id: string;
  version_id: string;
  prompt_id: string;
  status: 'succeeded' | 'failed';
  cases_total: number;
  cases_passed: number;
  regressions: number;
}

/** The body of every delivery (Standard Webhooks): `timestamp` is when the event happened. */
export interface WebhookBody {
  type: WebhookEventType;
  timestamp: string;
  data: VersionEventData | EvalEventData | TestRunEventData;
}
