import { z } from 'zod';
import { dbId } from './ids.js';
import { liveSnapshotSchema } from './live.js';

/**
 * The registry's outbox consumers besides the webhook relay: each (event, consumer) pair is done
 * once, tracked in `outbox_consumptions`. Shipped names are never renamed: pending rows carry them.
 */
export const OUTBOX_CONSUMERS = {
  /** Writes the live snapshot and publishes `prompt.live` (approve, quick-approve, rollback). */
  liveSnapshot: 'live_snapshot',
  /** Caches an API key's snapshot on creation; marks it revoked and publishes `api_key.revoked` on revocation. */
  apiKeySnapshot: 'api_key_snapshot',
  /** Requests the evals of a submitted version (submit only: promote never requested any). */
  evalsOnSubmit: 'evals_on_submit',
} as const;
export type OutboxConsumerName = (typeof OUTBOX_CONSUMERS)[keyof typeof OUTBOX_CONSUMERS];

/** Events only the registry's own consumers read: never relayed to a webhook subscriber. */
export const INTERNAL_EVENTS = ['api_key.created', 'api_key.revoked'] as const;
export type InternalEventType = (typeof INTERNAL_EVENTS)[number];

/** `api_key.*` payload v1: the consumer reads the key's current row, so the hash is never copied. */
export const apiKeyEventSchema = z.object({ v: z.literal(1), api_key_id: dbId() });
export type ApiKeyEventData = z.infer<typeof apiKeyEventSchema>;

/** `evals_on_submit` input v1: the submitted version, and who submitted it (recorded as the runs' requester). */
export const evalsOnSubmitInputSchema = z.object({ v: z.literal(1), version_id: dbId(), actor_id: dbId() });
export type EvalsOnSubmitInput = z.infer<typeof evalsOnSubmitInputSchema>;

/**
 * What a consumer needs besides the event's payload (which webhooks may see), stored on its
 * `outbox_consumptions` row; each is checked against its schema when consumed.
 */
export const outboxConsumerInputSchemas = {
  [OUTBOX_CONSUMERS.liveSnapshot]: liveSnapshotSchema,
  [OUTBOX_CONSUMERS.apiKeySnapshot]: z.null(),
  [OUTBOX_CONSUMERS.evalsOnSubmit]: evalsOnSubmitInputSchema,
} as const satisfies Record<OutboxConsumerName, z.ZodType>;

export type OutboxConsumption = {
  [C in OutboxConsumerName]: { consumer: C; input: z.infer<(typeof outboxConsumerInputSchemas)[C]> };
}[OutboxConsumerName];
