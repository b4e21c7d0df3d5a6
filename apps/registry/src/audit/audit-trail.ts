import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { chainEntry, type ChainedAuditEntry } from '#domain';
import { AuditRepository } from './audit.repository.js';

export interface AuditAppend {
  workspaceId: string;
  action: string;
  resourceType: string;
  resourceId: string | null;
  actorEmail: string | null;
  extra?: Record<string, unknown>;
}

/**
 * Appends to a workspace's hash chain inside the transaction of the change it records, so an
 * entry exists exactly when its change committed. A transaction-scoped advisory lock per
 * workspace serialises appends, so seq has no gaps and each entry links to the true head.
 */
@Injectable()
export class AuditTrail {
  // The default serves `new AuditTrail()` outside Nest (the dev admin seed, create-admin).
  constructor(private readonly log: AuditRepository = new AuditRepository()) {}

  async append(manager: EntityManager, entry: AuditAppend): Promise<ChainedAuditEntry> {
    if (!manager.queryRunner?.isTransactionActive) {
      throw new Error('AuditTrail.append must run inside the transaction of the change it records');
    }
    await this.log.lockChain(manager, entry.workspaceId);
    const head = await this.log.head(manager, entry.workspaceId);
    // Stored as jsonb and read back by verifiers: hash what the database will give back.
    const extra = JSON.parse(JSON.stringify(entry.extra ?? {})) as Record<string, unknown>;
    const chained = chainEntry(head, {
      action: entry.action,
      resource_type: entry.resourceType,
      resource_id: entry.resourceId,
      actor_email: entry.actorEmail,
      extra,
      created_at: new Date().toISOString(),
    });
    await this.log.insert(manager, entry.workspaceId, chained);
    return chained;
  }
}
