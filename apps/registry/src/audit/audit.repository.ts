import { Injectable } from '@nestjs/common';
import { escapeLiteral } from 'pg';
import type { EntityManager } from 'typeorm';
import { preparedStatement, type CommitTail } from '#persistence';
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

/** One transaction's entries of one workspace, waiting in audit_pending to be chained. */
export interface AuditPendingRow {
  id: string;
  workspaceId: string;
  entries: AuditAppendRow[];
}

/** The SQLSTATE audit_chain raises when it could not write the chain (see its migration). */
export const AUDIT_CHAIN_FAILED = 'PGAC1';

/** The filters of an audit list, already read: all of them must hold. */
export interface AuditFilter {
  action?: string;
  resourceId?: string;
  actorEmail?: string;
  from?: Date;
  to?: Date;
}

const CHAIN_PENDING = preparedStatement(`SELECT audit_chain($1, NULL)`);

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
   * Writes each workspace's entries of the transaction as one audit_pending row and commits, in one
   * message with what the transaction's tail holds (its outbox events): the change and its pending entries commit together without any lock (the chain is
   * the caller's next step, chainPending). A simple-protocol message, its values escaped as
   * literals; the caller's own COMMIT must then not be sent (AuditTrail answers it in place). An
   * error rolls the change back (the caller rolls back).
   */
  async writeAndCommit(tail: CommitTail, pending: readonly AuditPendingRow[]): Promise<void> {
    for (const row of pending) {
      if (!UUID.test(row.id) || !UUID.test(row.workspaceId)) throw new Error(`audit append: ${row.workspaceId} is not a workspace id`);
    }
    const values = pending.map((row) => `(${escapeLiteral(row.id)}, ${escapeLiteral(row.workspaceId)}, ${escapeLiteral(JSON.stringify(row.entries))}::jsonb)`);
    await tail.send({ last: `INSERT INTO audit_pending (id, workspace_id, entries) VALUES ${values.join(', ')}`, commit: true });
  }

  /** The workspaces with entries pending for longer than `seconds`: their changes committed, their chain call did not run or failed. */
  async workspacesPendingFor(manager: EntityManager, seconds: number): Promise<string[]> {
    const rows = (await manager.query(
      `SELECT DISTINCT workspace_id FROM audit_pending WHERE created_at < now() - $1 * interval '1 second'`, [seconds])) as Array<{
      workspace_id: string;
    }>;
    return rows.map((r) => r.workspace_id);
  }

  /**
   * Chains whatever the workspace has pending, in its own transaction (audit_chain, see its
   * migration); rejects with AUDIT_CHAIN_FAILED in `driverError.code` when the chain was not
   * written, and its entries stay pending.
   */
  async chainPending(manager: EntityManager, workspaceId: string): Promise<void> {
    await CHAIN_PENDING.run(manager, [workspaceId]);
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
