import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { Provider } from '#contracts';
import { lastFour, NotFoundError, openSecret, providerKeyBinding, sealSecret, SealedSecretError, UnprocessableError } from '#domain';
import { WorkspaceAccess } from '../access/workspace-access.js';
import { AuditTrail } from '../audit/audit-trail.js';
import { REGISTRY_CONFIG, type RegistryConfig } from '../common/config.js';
import { decodeCursor, pageOf, type Page, type PageRequest } from '../common/pagination.js';
import type { AuthenticatedUser } from '../identity/current-user.decorator.js';
import { toProviderKeyView, type ProviderKeyView } from './provider-key.view.js';

interface ProviderKeyRow {
  provider: Provider;
  last4: string;
  updated_at: Date;
}
const toView = (r: ProviderKeyRow) => toProviderKeyView({ provider: r.provider, last4: r.last4, updatedAt: r.updated_at });

/**
 * A workspace's saved keys for the judge's providers (bring your own key). The key is sealed with
 * ENCRYPTION_KEY and bound to its workspace and provider; only its last four characters are ever
 * shown or audited again.
 */
@Injectable()
export class ProviderKeysService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly access: WorkspaceAccess,
    private readonly audit: AuditTrail,
    @Inject(REGISTRY_CONFIG) private readonly config: RegistryConfig,
  ) {}

  async save(actor: AuthenticatedUser, workspaceId: string, provider: Provider, apiKey: string): Promise<ProviderKeyView> {
    const sealed = sealSecret(this.config.ENCRYPTION_KEY, apiKey, providerKeyBinding(workspaceId, provider));
    const last4 = lastFour(apiKey);
    return this.dataSource.transaction(async (manager) => {
      await this.access.requireRole(actor.id, workspaceId, 'admin', manager);
      const [saved] = (await manager.query(
        `INSERT INTO provider_keys (workspace_id, provider, key_encrypted, last4, updated_by, updated_at)
         VALUES ($1, $2, $3, $4, $5, now())
         ON CONFLICT (workspace_id, provider)
           DO UPDATE SET key_encrypted = EXCLUDED.key_encrypted, last4 = EXCLUDED.last4,
                         updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at
         RETURNING provider, last4, updated_at`,
        [workspaceId, provider, sealed, last4, actor.id],
      )) as ProviderKeyRow[];
      await this.audit.append(manager, {
        workspaceId, action: 'provider_key.set', resourceType: 'provider_key', resourceId: provider,
        actorEmail: actor.email, extra: { provider, last4 },
      });
      return toView(saved);
    });
  }

  async list(userId: string, workspaceId: string, page: PageRequest): Promise<Page<ProviderKeyView>> {
    await this.access.requireRole(userId, workspaceId, 'admin');
    const after = decodeCursor(page.cursor, ['text'] as const);
    const rows = (await this.dataSource.query(
      `SELECT provider, last4, updated_at FROM provider_keys
        WHERE workspace_id = $1 AND ($2::text IS NULL OR provider > $2)
        ORDER BY provider LIMIT $3`,
      [workspaceId, after?.[0] ?? null, page.limit + 1],
    )) as ProviderKeyRow[];
    return pageOf(rows, page.limit, (r) => [r.provider], toView);
  }

  async remove(actor: AuthenticatedUser, workspaceId: string, provider: Provider): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await this.access.requireRole(actor.id, workspaceId, 'admin', manager);
      const [removed] = (await manager.query(
        `DELETE FROM provider_keys WHERE workspace_id = $1 AND provider = $2 RETURNING last4`,
        [workspaceId, provider],
      )) as [Array<{ last4: string }>, number];
      if (removed.length === 0) throw new NotFoundError('Provider key');
      await this.audit.append(manager, {
        workspaceId, action: 'provider_key.deleted', resourceType: 'provider_key', resourceId: provider,
        actorEmail: actor.email, extra: { provider, last4: removed[0].last4 },
      });
    });
  }

  /** The workspace's saved key for the provider, opened for one eval job, or null when none is saved. */
  async openSavedKey(manager: EntityManager, workspaceId: string, provider: Provider): Promise<string | null> {
    const [row] = (await manager.query(
      `SELECT key_encrypted FROM provider_keys WHERE workspace_id = $1 AND provider = $2`,
      [workspaceId, provider],
    )) as Array<{ key_encrypted: string }>;
    if (!row) return null;
    try {
      return openSecret(this.config.ENCRYPTION_KEY, row.key_encrypted, providerKeyBinding(workspaceId, provider));
    } catch (err) {
      // Sealed under another ENCRYPTION_KEY (rotated) or damaged: the admin must save it again.
      if (err instanceof SealedSecretError) {
        throw new UnprocessableError(
          `The saved ${provider} key can no longer be read (was ENCRYPTION_KEY changed?). Save it again.`,
          'provider_key_unreadable',
        );
      }
      throw err;
    }
  }
}
