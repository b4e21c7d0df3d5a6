import type { OutboxConsumerName } from '#contracts';

/** One event as a consumer gets it: its type, the payload webhooks may see, and the consumer's own input. */
export interface ConsumedEvent {
  id: string;
  type: string;
  payload: unknown;
  input: unknown;
}

/**
 * A consumer of the outbox besides the webhook relay. It may run again for an event whose mark
 * did not commit (a crash, a lost connection), so running it twice must leave what running it
 * once leaves. It throws to be retried later; what it cannot ever do it logs and returns.
 */
export interface OutboxConsumer {
  readonly consumer: OutboxConsumerName;
  consume(event: ConsumedEvent): Promise<void>;
}
