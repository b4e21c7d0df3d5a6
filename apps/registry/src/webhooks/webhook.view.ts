import type { WebhookDeliveryEntity, WebhookEntity } from '#persistence';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** A subscription as lists show it: never its secret. */
export function toWebhookView(w: WebhookEntity) {
  return {
    id: w.id,
    name: w.name,
    url: w.url,
    events: w.events,
    created_at: w.createdAt.toISOString(),
    disabled_at: iso(w.disabledAt),
    disabled_reason: w.disabledReason,
  };
}
export type WebhookView = ReturnType<typeof toWebhookView>;

/** The answer to creation, the one time the secret is shown. */
export function toCreatedWebhookView(w: WebhookEntity, secret: string) {
  return { id: w.id, name: w.name, url: w.url, events: w.events, secret, created_at: w.createdAt.toISOString() };
}
export type CreatedWebhookView = ReturnType<typeof toCreatedWebhookView>;

export function toDeliveryView(d: WebhookDeliveryEntity) {
  return {
    id: d.id,
    event: d.event,
    message_id: d.messageId,
    status: d.status,
    attempts: d.attempts,
    response_status: d.responseStatus,
    last_error: d.lastError,
    next_attempt_at: iso(d.nextAttemptAt),
    created_at: d.createdAt.toISOString(),
    updated_at: d.updatedAt.toISOString(),
  };
}
export type DeliveryView = ReturnType<typeof toDeliveryView>;
