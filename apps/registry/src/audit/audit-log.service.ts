import { performance } from 'node:perf_hooks';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ChainVerifier, type ChainedAuditEntry, type ChainVerdict } from '#domain';
import { WorkspaceAccess } from '../access/workspace-access.js';
import type { Page, PageRequest } from '../common/pagination.js';
import { AuditRepository, type AuditRow } from './audit.repository.js';
import type { AuditQueryDto } from './dto/audit-query.dto.js';

const VERIFY_BATCH = 2000;
/** The longest the verify hashes before letting other requests run: 2,000 hashes take ~14 ms. */
const VERIFY_SLICE_MS = 2;

/** An entry exactly as the API answers it: the fields and strings the hash was computed over. */
export function presentAuditEntry(r: AuditRow): ChainedAuditEntry {
  return {
    seq: Number(r.seq),
    action: r.action,
    resource_type: r.resource_type,
    resource_id: r.resource_id,
    actor_email: r.actor_email,
    extra: r.extra,
    prev_hash: r.prev_hash,
    integrity_hash: r.integrity_hash,
    created_at: r.created_at.toISOString(),
  };
}

/** Reading and checking a workspace's audit chain. Writing is AuditTrail's, inside each change. */
@Injectable()
export class AuditLogService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly access: WorkspaceAccess,
    private readonly log: AuditRepository,
  ) {}

  async list(userId: string, workspaceId: string, q: AuditQueryDto, page: PageRequest): Promise<Page<ChainedAuditEntry>> {
    await this.access.requireRole(userId, workspaceId, 'viewer');
    const filter = {
      action: q.action, resourceId: q.resource_id, actorEmail: q.actor?.toLowerCase(),
      from: q.from ? new Date(q.from) : undefined, to: q.to ? new Date(q.to) : undefined,
    };
    return this.log.list(this.dataSource.manager, workspaceId, filter, page, presentAuditEntry);
  }

  /**
   * Recomputes the whole chain in seq order, a batch at a time, and names the first bad entry.
   * The hashing yields to the event loop every few milliseconds, so other requests keep answering.
   */
  async verify(userId: string, workspaceId: string): Promise<ChainVerdict> {
    await this.access.requireRole(userId, workspaceId, 'admin');
    const verifier = new ChainVerifier();
    let lastSeq = 0;
    for (;;) {
      const rows = await this.log.entriesAfter(this.dataSource.manager, workspaceId, lastSeq, VERIFY_BATCH);
      let sliceStarted = performance.now();
      for (const row of rows) {
        if (!verifier.push(presentAuditEntry(row))) return verifier.verdict();
        if (performance.now() - sliceStarted >= VERIFY_SLICE_MS) {
          await nextTurn();
          sliceStarted = performance.now();
        }
      }
      if (rows.length < VERIFY_BATCH) return verifier.verdict();
      lastSeq = Number(rows[rows.length - 1].seq);
    }
  }
}
