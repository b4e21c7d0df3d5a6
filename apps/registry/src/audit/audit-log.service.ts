import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ChainVerifier, type ChainedAuditEntry, type ChainVerdict } from '#domain';
import { WorkspaceAccess } from '../access/workspace-access.js';
import { decodeCursor, pageOf, type Page, type PageRequest } from '../common/pagination.js';
import type { AuditQueryDto } from './dto/audit-query.dto.js';

interface AuditRow {
  seq: string;
  action: string;
  resource_type: string;
  resource_id: string | null;
  actor_email: string | null;
  extra: Record<string, unknown>;
  prev_hash: string;
  integrity_hash: string;
  created_at: Date;
}

const COLUMNS = `seq, action, resource_type, resource_id, actor_email, extra, prev_hash, integrity_hash, created_at`;
const VERIFY_BATCH = 2000;

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
  ) {}

  async list(userId: string, workspaceId: string, q: AuditQueryDto, page: PageRequest): Promise<Page<ChainedAuditEntry>> {
    await this.access.requireRole(userId, workspaceId, 'viewer');
    const after = decodeCursor(page.cursor, ['bigint'] as const);
    const where = ['workspace_id = $1'];
    const params: unknown[] = [workspaceId];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (q.action) add('action = ?', q.action);
    if (q.resource_id) add('resource_id = ?', q.resource_id);
    if (q.actor) add('actor_email = ?', q.actor.toLowerCase());
    if (q.from) add('created_at >= ?', new Date(q.from));
    if (q.to) add('created_at < ?', new Date(q.to));
    if (after) add('seq < ?', after[0]);
    params.push(page.limit + 1);
    const rows: AuditRow[] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM audit_log WHERE ${where.join(' AND ')} ORDER BY seq DESC LIMIT $${params.length}`,
      params,
    );
    return pageOf(rows, page.limit, (r) => [Number(r.seq)], presentAuditEntry);
  }

  /** Recomputes the whole chain in seq order, a batch at a time, and names the first bad entry. */
  async verify(userId: string, workspaceId: string): Promise<ChainVerdict> {
    await this.access.requireRole(userId, workspaceId, 'admin');
    const verifier = new ChainVerifier();
    let lastSeq = 0;
    for (;;) {
      const rows: AuditRow[] = await this.dataSource.query(
        `SELECT ${COLUMNS} FROM audit_log WHERE workspace_id = $1 AND seq > $2 ORDER BY seq ASC LIMIT $3`,
        [workspaceId, lastSeq, VERIFY_BATCH],
      );
      for (const row of rows) if (!verifier.push(presentAuditEntry(row))) return verifier.verdict();
      if (rows.length < VERIFY_BATCH) return verifier.verdict();
      lastSeq = Number(rows[rows.length - 1].seq);
    }
  }
}
