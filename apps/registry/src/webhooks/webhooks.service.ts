import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ForbiddenError, generateWebhookSecret, NotFoundError, roleAtLeast, sealSecret, webhookSecretBinding } from '#domain';
import { WebhookDeliveryEntity, WebhookEntity } from '#persistence';
import { WorkspaceAccess } from '../access/workspace-access.js';
import { AuditTrail } from '../audit/audit-trail.js';
import { REGISTRY_CONFIG, type RegistryConfig } from '../common/config.js';
import { decodeCursor, exactTimestampSql, pageOf, type Page, type PageRequest } from '../common/pagination.js';
import type { AuthenticatedUser } from '../identity/current-user.decorator.js';
import type { CreateWebhookDto } from './dto/webhook.dto.js';
import { checkWebhookUrl } from './webhook-url.js';
import {
  toCreatedWebhookView, toDeliveryView, toWebhookView, type CreatedWebhookView, type DeliveryView, type WebhookView,
} from './webhook.view.js';

/**
 * Webhook subscriptions of a workspace (admin only). The secret is shown once, in the answer to
 * creation, and kept sealed with AES-256-GCM bound to the subscription's id. The audit log, read
 * by every member, records the URL's origin only: a path often carries a token (Slack).
 */
@Injectable()
export class WebhooksService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly access: WorkspaceAccess,
    private readonly audit: AuditTrail,
    @Inject(REGISTRY_CONFIG) private readonly config: RegistryConfig,
  ) {}

  async create(actor: AuthenticatedUser, workspaceId: string, dto: CreateWebhookDto): Promise<CreatedWebhookView> {
    await this.access.requireRole(actor.id, workspaceId, 'admin');
    const url = await checkWebhookUrl(dto.url, this.config.WEBHOOK_ALLOW_PRIVATE_URLS);
    const events = [...new Set(dto.events)];
    const id = randomUUID();
    const secret = generateWebhookSecret();
    const created = await this.dataSource.transaction(async (manager) => {
      await this.access.requireRole(actor.id, workspaceId, 'admin', manager);
      const webhook = await manager.save(manager.create(WebhookEntity, {
        id, workspaceId, url: url.toString(), events, createdBy: actor.id,
        secretEncrypted: sealSecret(this.config.ENCRYPTION_KEY, secret, webhookSecretBinding(id)),
      }));
      await this.audit.append(manager, {
        workspaceId, action: 'webhook.created', resourceType: 'webhook', resourceId: id,
        actorEmail: actor.email, extra: { url_origin: url.origin, events },
      });
      return webhook;
    });
    return toCreatedWebhookView(created, secret);
  }

  async list(userId: string, workspaceId: string, page: PageRequest): Promise<Page<WebhookView>> {
    await this.access.requireRole(userId, workspaceId, 'admin');
    const after = decodeCursor(page.cursor, ['timestamp', 'uuid'] as const);
    const query = this.dataSource.manager.createQueryBuilder(WebhookEntity, 'w')
      .addSelect(exactTimestampSql('w.created_at'), 'position_at')
      .where('w.workspaceId = :workspaceId', { workspaceId })
      .orderBy('w.createdAt', 'DESC')
      .addOrderBy('w.id', 'DESC')
      .limit(page.limit + 1);
    if (after) query.andWhere('(w.createdAt, w.id) < (CAST(:at AS timestamptz), CAST(:id AS uuid))', { at: after[0], id: after[1] });
    const { entities, raw } = await query.getRawAndEntities<{ position_at: string }>();
    const rows = entities.map((webhook, i) => ({ webhook, position: raw[i].position_at }));
    return pageOf(rows, page.limit, (r) => [r.position, r.webhook.id], (r) => toWebhookView(r.webhook));
  }

  /** Deletes the subscription and its delivery log; deliveries still queued find nothing to send. */
  async delete(actor: AuthenticatedUser, webhookId: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const webhook = await manager.findOne(WebhookEntity, { where: { id: webhookId }, lock: { mode: 'pessimistic_write' } });
      if (!webhook) throw new NotFoundError('Webhook');
      await this.requireAdmin(actor.id, webhook.workspaceId, manager);
      await manager.delete(WebhookEntity, { id: webhookId });
      await this.audit.append(manager, {
        workspaceId: webhook.workspaceId, action: 'webhook.deleted', resourceType: 'webhook', resourceId: webhookId,
        actorEmail: actor.email, extra: { url_origin: new URL(webhook.url).origin, events: webhook.events },
      });
    });
  }

  async deliveries(userId: string, webhookId: string, page: PageRequest): Promise<Page<DeliveryView>> {
    const webhook = await this.dataSource.manager.findOneBy(WebhookEntity, { id: webhookId });
    if (!webhook) throw new NotFoundError('Webhook');
    await this.requireAdmin(userId, webhook.workspaceId);
    const after = decodeCursor(page.cursor, ['timestamp', 'uuid'] as const);
    const query = this.dataSource.manager.createQueryBuilder(WebhookDeliveryEntity, 'd')
      .addSelect(exactTimestampSql('d.created_at'), 'position_at')
      .where('d.webhookId = :webhookId', { webhookId })
      .orderBy('d.createdAt', 'DESC')
      .addOrderBy('d.id', 'DESC')
      .limit(page.limit + 1);
    if (after) query.andWhere('(d.createdAt, d.id) < (CAST(:at AS timestamptz), CAST(:id AS uuid))', { at: after[0], id: after[1] });
    const { entities, raw } = await query.getRawAndEntities<{ position_at: string }>();
    const rows = entities.map((delivery, i) => ({ delivery, position: raw[i].position_at }));
    return pageOf(rows, page.limit, (r) => [r.position, r.delivery.id], (r) => toDeliveryView(r.delivery));
  }

  /** A subscription of a workspace the caller is not in is `404`, as if it did not exist. */
  private async requireAdmin(userId: string, workspaceId: string, manager = this.dataSource.manager): Promise<void> {
    const role = await this.access.roleOf(userId, workspaceId, manager);
    if (role === null) throw new NotFoundError('Webhook');
    if (!roleAtLeast(role, 'admin')) throw new ForbiddenError('This needs the admin role or higher in the workspace.');
  }
}
