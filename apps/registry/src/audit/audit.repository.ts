import { Injectable } from '@nestjs/common';
import { escapeLiteral } from 'pg';
import type { EntityManager } from 'typeorm';
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

/** An entry to append: its fields and the canonical JSON of them without seq, open at its end. */
export interface AuditAppendRow {
  action: string;
  resource_type: string;
  resource_id: string | null;
  actor_email: string | null;
  extra: Record<string, unknown>;
  created_at: string;
  body: string;
}

/** The filters of an audit list, already read: all of them must hold. */
export interface AuditFilter {
  action?: string;
  resourceId?: string;
  actorEmail?: string;
  from?: Date;
  to?: Date;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const COLUMNS = `seq, action, resource_type, resource_id, actor_email, extra, prev_hash, integrity_hash, created_at`;

/** Newest entry first. */
const NEWEST_FIRST: Keyset<readonly ['bigint']> = { columns: ['seq'], shape: ['bigint'], direction: 'DESC' };

/**
 * A workspace's audit chain in audit_log. Every method takes the manager it runs on: appends run
 * in the transaction of the change they record, reads on whatever the caller holds.
 */
@Injectable()
export class AuditRepository {
  /**
   * Appends the entries to the workspace's chain in one statement (audit_append, see its
   * migration: the workspace's audit lock, the head, and each entry chained on it, the hash
   * finished from `body`, canonicalBodyBeforeSeq) and commits, in one message. The lock is held
   * until COMMIT ends; sent together, the server runs the COMMIT right after the append, without
   * waiting for this process to read the append's answer and send the next statement, which under
   * load costs more than everything else the lock covers. So it is a simple-protocol message, its
   * values escaped as literals. The caller's own COMMIT must then not be sent (AuditTrail answers
   * it in place). If the append or the COMMIT fails, the message fails and the caller rolls back.
   */
  async appendAndCommit(manager: EntityManager, workspaceId: string, entries: AuditAppendRow[]): Promise<void> {
    if (!UUID.test(workspaceId)) throw new Error(`audit append: ${workspaceId} is not a workspace id`);
    await manager.query(`SELECT audit_append(${escapeLiteral(workspaceId)}, ${escapeLiteral(JSON.stringify(entries))}::jsonb); COMMIT`);
  }

  /** Appends the entries to the workspace's chain (audit_append), leaving the transaction open. */
  async append(manager: EntityManager, workspaceId: string, entries: AuditAppendRow[]): Promise<void> {
    await manager.query(`SELECT audit_append($1, $2::jsonb)`, [workspaceId, JSON.stringify(entries)]);
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
