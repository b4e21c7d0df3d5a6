import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { chainEntry, type ChainedAuditEntry } from '#domain';

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
  async append(manager: EntityManager, entry: AuditAppend): Promise<ChainedAuditEntry> {
    if (!manager.queryRunner?.isTransactionActive) {
      throw new Error('AuditTrail.append must run inside the transaction of the change it records');
    }
    await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`audit:${entry.workspaceId}`]);
    const [head] = (await manager.query(
      `SELECT seq, integrity_hash FROM audit_log WHERE workspace_id = $1 ORDER BY seq DESC LIMIT 1`,
      [entry.workspaceId],
    )) as Array<{ seq: string; integrity_hash: string }>;
    // Stored as jsonb and read back by verifiers: hash what the database will give back.
    const extra = JSON.parse(JSON.stringify(entry.extra ?? {})) as Record<string, unknown>;
    const chained = chainEntry(head ? { seq: Number(head.seq), integrity_hash: head.integrity_hash } : null, {
      action: entry.action,
      resource_type: entry.resourceType,
      resource_id: entry.resourceId,
      actor_email: entry.actorEmail,
      extra,
      created_at: new Date().toISOString(),
    });
    await manager.query(
      `INSERT INTO audit_log (workspace_id, seq, action, resource_type, resource_id, actor_email, extra, prev_hash, integrity_hash, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        entry.workspaceId, chained.seq, chained.action, chained.resource_type, chained.resource_id,
        chained.actor_email, JSON.stringify(extra), chained.prev_hash, chained.integrity_hash, chained.created_at,
      ],
    );
    return chained;
  }
}
