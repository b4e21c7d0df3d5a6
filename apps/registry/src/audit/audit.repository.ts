import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { ChainedAuditEntry } from '#domain';
import { KeysetWindow, type Keyset, type Page, type PageRequest } from '../common/pagination.js';

/** An entry as stored; `seq` is a bigint, so it comes back as text. */
export interface AuditRow {
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

/** The filters of an audit list, already read: all of them must hold. */
export interface AuditFilter {
  action?: string;
  resourceId?: string;
  actorEmail?: string;
  from?: Date;
  to?: Date;
}

const COLUMNS = `seq, action, resource_type, resource_id, actor_email, extra, prev_hash, integrity_hash, created_at`;

/** Newest entry first. */
const NEWEST_FIRST: Keyset<readonly ['bigint']> = { columns: ['seq'], shape: ['bigint'], direction: 'DESC' };

/**
 * A workspace's audit chain in audit_log. Every method takes the manager it runs on: appends run
 * in the transaction of the change they record, reads on whatever the caller holds.
 */
@Injectable()
export class AuditRepository {
  /** Serialises the workspace's appends until the transaction ends (a transaction-scoped advisory lock). */
  async lockChain(manager: EntityManager, workspaceId: string): Promise<void> {
    await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`audit:${workspaceId}`]);
  }

  /** The last entry's seq and hash, or null for an empty chain. */
  async head(manager: EntityManager, workspaceId: string): Promise<{ seq: number; integrity_hash: string } | null> {
    const [head] = (await manager.query(
      `SELECT seq, integrity_hash FROM audit_log WHERE workspace_id = $1 ORDER BY seq DESC LIMIT 1`,
      [workspaceId],
    )) as Array<{ seq: string; integrity_hash: string }>;
    return head ? { seq: Number(head.seq), integrity_hash: head.integrity_hash } : null;
  }

  async insert(manager: EntityManager, workspaceId: string, entry: ChainedAuditEntry): Promise<void> {
    await manager.query(
      `INSERT INTO audit_log (workspace_id, seq, action, resource_type, resource_id, actor_email, extra, prev_hash, integrity_hash, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        workspaceId, entry.seq, entry.action, entry.resource_type, entry.resource_id,
        entry.actor_email, JSON.stringify(entry.extra), entry.prev_hash, entry.integrity_hash, entry.created_at,
      ],
    );
  }

  /** The entries that pass `filter`, newest first. */
  async list<Item>(
    manager: EntityManager,
    workspaceId: string,
    filter: AuditFilter,
    page: PageRequest,
    present: (row: AuditRow) => Item,
  ): Promise<Page<Item>> {
    const window = new KeysetWindow(NEWEST_FIRST, page);
    const where = ['workspace_id = $1'];
    const params: unknown[] = [workspaceId];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (filter.action) add('action = ?', filter.action);
    if (filter.resourceId) add('resource_id = ?', filter.resourceId);
    if (filter.actorEmail) add('actor_email = ?', filter.actorEmail);
    if (filter.from) add('created_at >= ?', filter.from);
    if (filter.to) add('created_at < ?', filter.to);
    const after = window.afterSql(params);
    if (after) where.push(after);
    const matching = `SELECT ${COLUMNS} FROM audit_log WHERE ${where.join(' AND ')}`;
    // A bounded window is a range of audit_log_workspace_created_seq_idx sorted top-N: without the
    // OFFSET 0 fence the planner walks the seq index back through every entry newer than `to`.
    const source = filter.from && filter.to ? `(${matching} OFFSET 0) AS windowed` : null;
    const rows = (await manager.query(
      `${source ? `SELECT ${COLUMNS} FROM ${source}` : matching} ORDER BY ${window.orderSql()} LIMIT ${window.limitSql(params)}`,
      params,
    )) as AuditRow[];
    return window.pageOf(rows, (r) => [Number(r.seq)], present);
  }

  /** Up to `count` entries after `seq`, in chain order. */
  async entriesAfter(manager: EntityManager, workspaceId: string, seq: number, count: number): Promise<AuditRow[]> {
    return (await manager.query(
      `SELECT ${COLUMNS} FROM audit_log WHERE workspace_id = $1 AND seq > $2 ORDER BY seq ASC LIMIT $3`,
      [workspaceId, seq, count],
    )) as AuditRow[];
  }
}
