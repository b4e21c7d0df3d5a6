import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { apiKeyKindFor, DEFAULT_RATE_LIMIT_RPM, ForbiddenError, generateApiKey, NotFoundError, roleAtLeast } from '#domain';
import { ApiKeyEntity } from '#persistence';
import { WorkspaceAccess } from '../access/workspace-access.js';
import { AuditTrail } from '../audit/audit-trail.js';
import { byCreation, keysetPage, type Page, type PageRequest } from '../common/pagination.js';
import type { AuthenticatedUser } from '../identity/current-user.decorator.js';
import { EventOutbox } from '../outbox/event-outbox.js';
import { toApiKeyView, toCreatedApiKeyView, type ApiKeyView, type CreatedApiKeyView } from './api-key.view.js';
import type { CreateApiKeyDto } from './dto/api-key.dto.js';

/**
 * The gateway's API keys. The key is shown once, in the answer to its creation; PostgreSQL, Redis,
 * the audit log and the logs only ever see its SHA-256. Creation and revocation reach the
 * gateways through the outbox (ApiKeyPublisher consumes their events).
 */
@Injectable()
export class ApiKeysService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly access: WorkspaceAccess,
    private readonly audit: AuditTrail,
    private readonly outbox: EventOutbox,
  ) {}

  async create(actor: AuthenticatedUser, environmentId: string, dto: CreateApiKeyDto): Promise<CreatedApiKeyView> {
    const { created, key } = await this.audit.transaction(async ({ manager, audit }) => {
      const environment = await this.access.requireEnvironmentRole(actor.id, environmentId, 'admin', manager);
      const { key, prefix, hash } = generateApiKey(apiKeyKindFor(environment));
      const created = await manager.save(manager.create(ApiKeyEntity, {
        workspaceId: environment.workspaceId, environmentId, name: dto.name, prefix, keyHash: hash,
        rateLimitRpm: dto.rate_limit_rpm ?? DEFAULT_RATE_LIMIT_RPM, createdBy: actor.id,
      }));
      audit({
        workspaceId: environment.workspaceId, action: 'api_key.created', resourceType: 'api_key', resourceId: created.id,
        actorEmail: actor.email, extra: { name: created.name, prefix, environment_id: environmentId, rate_limit_rpm: created.rateLimitRpm },
      });
      await this.outbox.apiKeyEvent(manager, 'api_key.created', created);
      return { created, key };
    });
    return toCreatedApiKeyView(created, key);
  }

  async list(userId: string, environmentId: string, page: PageRequest): Promise<Page<ApiKeyView>> {
    await this.access.requireEnvironmentRole(userId, environmentId, 'admin');
    const query = this.dataSource.manager.createQueryBuilder(ApiKeyEntity, 'k').where('k.environmentId = :environmentId', { environmentId });
    return keysetPage(query, byCreation('k'), page, toApiKeyView);
  }

  /** Idempotent: revoking a revoked key changes nothing but pushes the revocation again. */
  async revoke(actor: AuthenticatedUser, apiKeyId: string): Promise<void> {
    await this.audit.transaction(async ({ manager, audit }) => {
      const found = await manager.createQueryBuilder(ApiKeyEntity, 'k')
        .where('k.id = :apiKeyId', { apiKeyId })
        .setLock('pessimistic_write')
        .getOne();
      if (!found) throw new NotFoundError('API key');
      const role = await this.access.roleOf(actor.id, found.workspaceId, manager);
      if (role === null) throw new NotFoundError('API key');
      if (!roleAtLeast(role, 'admin')) throw new ForbiddenError('This needs the admin role or higher in the workspace.');
      if (found.revokedAt === null) {
        const [{ now }] = (await manager.query(`SELECT now() AS now`)) as Array<{ now: Date }>;
        await manager.update(ApiKeyEntity, { id: apiKeyId }, { revokedAt: now });
        audit({
          workspaceId: found.workspaceId, action: 'api_key.revoked', resourceType: 'api_key', resourceId: apiKeyId,
          actorEmail: actor.email, extra: { name: found.name, prefix: found.prefix, environment_id: found.environmentId },
        });
      }
      await this.outbox.apiKeyEvent(manager, 'api_key.revoked', found);
    });
  }
}
