import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Provider } from '#contracts';
import { lastFour, NotFoundError, openSecret, providerKeyBinding, sealSecret, SealedSecretError, UnprocessableError } from '#domain';
import { WorkspaceAccess } from '../access/workspace-access.js';
import { AuditTrail } from '../audit/audit-trail.js';
import { REGISTRY_CONFIG, type RegistryConfig } from '../common/config.js';
import type { Page, PageRequest } from '../common/pagination.js';
import type { AuthenticatedUser } from '../identity/current-user.decorator.js';
import { toProviderKeyView, type ProviderKeyView } from './provider-key.view.js';
import { ProviderKeysRepository, type ProviderKeyRow } from './provider-keys.repository.js';
const toView = (r: ProviderKeyRow) => toProviderKeyView({ provider: r.provider, last4: r.last4, updatedAt: r.updated_at });

/**
 * A workspace's saved keys for the judge's providers (bring your own key). The key is sealed with
 * ENCRYPTION_KEY and bound to its workspace and provider; only its last four characters are ever
 * shown or audited again.
 */
@Injectable()
export class ProviderKeysService {
  constructor(
    private readonly access: WorkspaceAccess,
    private readonly audit: AuditTrail,
    private readonly keys: ProviderKeysRepository,
    @Inject(REGISTRY_CONFIG) private readonly config: RegistryConfig,
  ) {}

  async save(actor: AuthenticatedUser, workspaceId: string, provider: Provider, apiKey: string): Promise<ProviderKeyView> {
    const sealed = sealSecret(this.config.ENCRYPTION_KEY, apiKey, providerKeyBinding(workspaceId, provider));
    const last4 = lastFour(apiKey);
    return this.audit.transaction(async ({ manager, audit }) => {
      await this.access.requireRole(actor.id, workspaceId, 'admin', manager);
      const saved = await this.keys.upsert(manager, { workspaceId, provider, sealed, last4, updatedBy: actor.id });
      audit({
        workspaceId, action: 'provider_key.set', resourceType: 'provider_key', resourceId: provider,
        actorEmail: actor.email, extra: { provider, last4 },
      });
      return toView(saved);
    });
  }

  async list(userId: string, workspaceId: string, page: PageRequest): Promise<Page<ProviderKeyView>> {
    await this.access.requireRole(userId, workspaceId, 'admin');
    return this.keys.list(workspaceId, page, toView);
  }

  async remove(actor: AuthenticatedUser, workspaceId: string, provider: Provider): Promise<void> {
    await this.audit.transaction(async ({ manager, audit }) => {
      await this.access.requireRole(actor.id, workspaceId, 'admin', manager);
      const last4 = await this.keys.delete(manager, workspaceId, provider);
      if (last4 === null) throw new NotFoundError('Provider key');
      audit({
        workspaceId, action: 'provider_key.deleted', resourceType: 'provider_key', resourceId: provider,
        actorEmail: actor.email, extra: { provider, last4 },
      });
    });
  }

  /** The workspace's saved key for the provider, opened for one eval job, or null when none is saved. */
  async openSavedKey(manager: EntityManager, workspaceId: string, provider: Provider): Promise<string | null> {
    const sealed = await this.keys.findSealed(manager, workspaceId, provider);
    if (sealed === null) return null;
    try {
      return openSecret(this.config.ENCRYPTION_KEY, sealed, providerKeyBinding(workspaceId, provider));
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
