import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { WebhookDeliveryEntity, WebhookEntity } from '#persistence';
import { byCreation, keysetPage, type Page, type PageRequest } from '../common/pagination.js';

/** A delivery joined to its subscription: what one attempt needs. */
export interface DeliveryRow {
  id: string;
  status: string;
  attempts: number;
  message_id: string;
  payload: unknown;
  webhook_id: string;
  url: string;
  secret_encrypted: string;
  disabled_at: Date | null;
  disabled_reason: string | null;
}

/** What one attempt leaves on its delivery. */
export interface AttemptRecord {
  status: string;
  responseStatus: number | null;
  lastError: string | null;
  nextAttemptAt: Date | null;
}

/** Webhook subscriptions and their deliveries. */
@Injectable()
export class WebhooksRepository {
  constructor(private readonly dataSource: DataSource) {}

  find(webhookId: string, manager: EntityManager = this.dataSource.manager): Promise<WebhookEntity | null> {
    return manager.findOneBy(WebhookEntity, { id: webhookId });
  }

  /** The subscription, row-locked for the rest of the caller's transaction. */
  findForUpdate(manager: EntityManager, webhookId: string): Promise<WebhookEntity | null> {
    return manager.findOne(WebhookEntity, { where: { id: webhookId }, lock: { mode: 'pessimistic_write' } });
  }

  insert(manager: EntityManager, values: Pick<WebhookEntity, 'id' | 'workspaceId' | 'name' | 'url' | 'events' | 'createdBy' | 'secretEncrypted'>): Promise<WebhookEntity> {
    return manager.save(manager.create(WebhookEntity, values));
  }

  /** Deletes the subscription; its deliveries go with it (ON DELETE CASCADE). */
  async delete(manager: EntityManager, webhookId: string): Promise<void> {
    await manager.delete(WebhookEntity, { id: webhookId });
  }

  /** A workspace's subscriptions, newest first. */
  list<Item>(workspaceId: string, page: PageRequest, present: (webhook: WebhookEntity) => Item): Promise<Page<Item>> {
    const query = this.dataSource.manager.createQueryBuilder(WebhookEntity, 'w').where('w.workspaceId = :workspaceId', { workspaceId });
    return keysetPage(query, byCreation('w'), page, present);
  }

  /** A subscription's deliveries, newest first. */
  deliveries<Item>(webhookId: string, page: PageRequest, present: (delivery: WebhookDeliveryEntity) => Item): Promise<Page<Item>> {
    const query = this.dataSource.manager.createQueryBuilder(WebhookDeliveryEntity, 'd').where('d.webhookId = :webhookId', { webhookId });
    return keysetPage(query, byCreation('d'), page, present);
  }

  async findDelivery(deliveryId: string): Promise<DeliveryRow | null> {
    const [row] = (await this.dataSource.query(
      `SELECT d.id, d.status, d.attempts, d.message_id, d.payload, w.id AS webhook_id, w.url, w.secret_encrypted,
              w.disabled_at, w.disabled_reason
         FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
        WHERE d.id = $1`,
      [deliveryId],
    )) as DeliveryRow[];
    return row ?? null;
  }

  /** Counts the attempt and records its outcome. */
  async recordAttempt(manager: EntityManager, deliveryId: string, change: AttemptRecord): Promise<void> {
    await manager.query(
      `UPDATE webhook_deliveries
          SET attempts = attempts + 1, status = $2, response_status = $3, last_error = $4, next_attempt_at = $5, updated_at = now()
        WHERE id = $1`,
      [deliveryId, change.status, change.responseStatus, change.lastError, change.nextAttemptAt],
    );
  }

  /** Disables the subscription once: the first reason stays. */
  async disable(manager: EntityManager, webhookId: string, reason: string): Promise<void> {
    await manager.query(
      `UPDATE webhooks SET disabled_at = now(), disabled_reason = $2 WHERE id = $1 AND disabled_at IS NULL`,
      [webhookId, reason],
    );
  }
}
