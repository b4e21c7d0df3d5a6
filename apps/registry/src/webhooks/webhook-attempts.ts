import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { decideDelivery, openSecret, webhookHeaders, webhookSecretBinding, type DeliveryDecision } from '#domain';
import { REGISTRY_CONFIG, type RegistryConfig } from '../common/config.js';
import { deliveryLookup, sendWebhook, type AttemptOutcome } from './webhook-sender.js';
import { WebhooksRepository, type AttemptRecord, type DeliveryRow } from './webhooks.repository.js';

export type AttemptSummary =
  | { outcome: 'succeeded' | 'failed' | 'disabled' | 'already_settled' }
  | { outcome: 'retry'; delaySeconds: number };

/** Thrown when the delivery row is not visible (yet): BullMQ's own attempts try again shortly. */
export class DeliveryNotFoundError extends Error {
  constructor(deliveryId: string) {
    super(`delivery ${deliveryId} not found`);
    this.name = 'DeliveryNotFoundError';
  }
}

function lastErrorOf(decision: DeliveryDecision, outcome: AttemptOutcome): string | null {
  if (decision.action === 'succeeded') return null;
  if (decision.action === 'retry') return outcome.error;
  // Deliveries are readable through the API: a refusal (never retried) does not tell what the host resolved to.
  if (outcome.result.kind === 'refused_address') return decision.reason;
  return outcome.result.kind === 'response' || !outcome.error ? decision.reason : `${decision.reason}: ${outcome.error}`;
}

/**
 * One attempt of one delivery: open the secret, sign and POST the body, then record what
 * happened and what follows (libs/domain decideDelivery): success, a retry on the schedule, a
 * final failure, or the subscription disabled (410 Gone). The `webhook-id` is the delivery's
 * message id, the same on every attempt; the timestamp and signature are the attempt's own.
 */
@Injectable()
export class WebhookAttempts {
  constructor(
    private readonly dataSource: DataSource,
    private readonly webhooks: WebhooksRepository,
    @Inject(REGISTRY_CONFIG) private readonly config: RegistryConfig,
  ) {}

  async attempt(deliveryId: string): Promise<AttemptSummary> {
    const row = await this.webhooks.findDelivery(deliveryId);
    if (!row) throw new DeliveryNotFoundError(deliveryId);
    if (row.status !== 'pending') return { outcome: 'already_settled' };
    if (row.disabled_at) {
      await this.record(row, { status: 'failed', responseStatus: null, lastError: `the subscription is disabled: ${row.disabled_reason ?? ''}`, nextAttemptAt: null });
      return { outcome: 'failed' };
    }

    const secret = openSecret(this.config.ENCRYPTION_KEY, row.secret_encrypted, webhookSecretBinding(row.webhook_id));
    const body = JSON.stringify(row.payload);
    const timestamp = Math.floor(Date.now() / 1000);
    const outcome = await sendWebhook({
      url: row.url, body, headers: webhookHeaders(secret, row.message_id, timestamp, body),
      lookup: deliveryLookup(this.config.WEBHOOK_ALLOW_PRIVATE_URLS),
      timeoutMs: this.config.WEBHOOK_TIMEOUT_MS,
    });
    const decision = decideDelivery(outcome.result, row.attempts + 1, this.config.WEBHOOK_RETRY_SCHEDULE);
    const lastError = lastErrorOf(decision, outcome);
    switch (decision.action) {
      case 'succeeded':
        await this.record(row, { status: 'succeeded', responseStatus: outcome.responseStatus, lastError, nextAttemptAt: null });
        return { outcome: 'succeeded' };
      case 'retry':
        await this.record(row, {
          status: 'pending', responseStatus: outcome.responseStatus, lastError,
          nextAttemptAt: new Date(Date.now() + decision.delaySeconds * 1000),
        });
        return { outcome: 'retry', delaySeconds: decision.delaySeconds };
      case 'failed':
        await this.record(row, { status: 'failed', responseStatus: outcome.responseStatus, lastError, nextAttemptAt: null });
        return { outcome: 'failed' };
      case 'disable':
        await this.record(row, { status: 'failed', responseStatus: outcome.responseStatus, lastError, nextAttemptAt: null }, decision.reason);
        return { outcome: 'disabled' };
    }
  }

  /** Counts the attempt; a 410 also disables the subscription, so later events skip it. */
  private async record(row: DeliveryRow, change: AttemptRecord, disableReason?: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await this.webhooks.recordAttempt(manager, row.id, change);
      if (disableReason) await this.webhooks.disable(manager, row.webhook_id, disableReason);
    });
  }
}
