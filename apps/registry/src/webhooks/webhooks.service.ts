import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { ForbiddenError, generateWebhookSecret, NotFoundError, roleAtLeast, sealSecret, webhookSecretBinding } from '#domain';
import { WorkspaceAccess } from '../access/workspace-access.js';
import { AuditTrail } from '../audit/audit-trail.js';
import { REGISTRY_CONFIG, type RegistryConfig } from '../common/config.js';
import type { Page, PageRequest } from '../common/pagination.js';
import type { AuthenticatedUser } from '../identity/current-user.decorator.js';
import type { CreateWebhookDto } from './dto/webhook.dto.js';
import { checkWebhookUrl } from './webhook-url.js';
import {
  toCreatedWebhookView, toDeliveryView, toWebhookView, type CreatedWebhookView, type DeliveryView, type WebhookView,
} from './webhook.view.js';
import { WebhooksRepository } from './webhooks.repository.js';

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
    private readonly webhooks: WebhooksRepository,
    @Inject(REGISTRY_CONFIG) private readonly config: RegistryConfig,
  ) {}

  async create(actor: AuthenticatedUser, workspaceId: string, dto: CreateWebhookDto): Promise<CreatedWebhookView> {
    await this.access.requireRole(actor.id, workspaceId, 'admin');
    const url = await checkWebhookUrl(dto.url, this.config.WEBHOOK_ALLOW_PRIVATE_URLS);
    const events = [...new Set(dto.events)];
    const id = randomUUID();
    const secret = generateWebhookSecret();
    const created = await this.audit.transaction(async ({ manager, audit }) => {
      await this.access.requireRole(actor.id, workspaceId, 'admin', manager);
      const webhook = await this.webhooks.insert(manager, {
        id, workspaceId, name: dto.name ?? null, url: url.toString(), events, createdBy: actor.id,
        secretEncrypted: sealSecret(this.config.ENCRYPTION_KEY, secret, webhookSecretBinding(id)),
      });
      audit({
        workspaceId, action: 'webhook.created', resourceType: 'webhook', resourceId: id,
        actorEmail: actor.email, extra: { ...(dto.name !== undefined ? { name: dto.name } : {}), url_origin: url.origin, events },
      });
      return webhook;
    });
    return toCreatedWebhookView(created, secret);
  }

  async list(userId: string, workspaceId: string, page: PageRequest): Promise<Page<WebhookView>> {
    await this.access.requireRole(userId, workspaceId, 'admin');
    return this.webhooks.list(workspaceId, page, toWebhookView);
  }

  /** Deletes the subscription and its delivery log; deliveries still queued find nothing to send. */
  async delete(actor: AuthenticatedUser, webhookId: string): Promise<void> {
    await this.audit.transaction(async ({ manager, audit }) => {
      const webhook = await this.webhooks.findForUpdate(manager, webhookId);
      if (!webhook) throw new NotFoundError('Webhook');
      await this.requireAdmin(actor.id, webhook.workspaceId, manager);
      await this.webhooks.delete(manager, webhookId);
      audit({
        workspaceId: webhook.workspaceId, action: 'webhook.deleted', resourceType: 'webhook', resourceId: webhookId,
        actorEmail: actor.email, extra: { url_origin: new URL(webhook.url).origin, events: webhook.events },
      });
    });
  }

  async deliveries(userId: string, webhookId: string, page: PageRequest): Promise<Page<DeliveryView>> {
    const webhook = await this.webhooks.find(webhookId);
    if (!webhook) throw new NotFoundError('Webhook');
    await this.requireAdmin(userId, webhook.workspaceId);
    return this.webhooks.deliveries(webhookId, page, toDeliveryView);
  }

  /** A subscription of a workspace the caller is not in is `404`, as if it did not exist. */
  private async requireAdmin(userId: string, workspaceId: string, manager: EntityManager = this.dataSource.manager): Promise<void> {
    const role = await this.access.roleOf(userId, workspaceId, manager);
    if (role === null) throw new NotFoundError('Webhook');
    if (!roleAtLeast(role, 'admin')) throw new ForbiddenError('This needs the admin role or higher in the workspace.');
  }
}
