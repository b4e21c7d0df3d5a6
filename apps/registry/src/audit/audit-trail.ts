import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager, type QueryRunner } from 'typeorm';
import { canonicalBodyBeforeSeq } from '#domain';
import { AuditRepository } from './audit.repository.js';

export interface AuditAppend {
  workspaceId: string;
  action: string;
  resourceType: string;
  resourceId: string | null;
  actorEmail: string | null;
  extra?: Record<string, unknown>;
}

/** What the body of an audited transaction gets: its manager, and `audit` to record the entries of its change. */
export interface AuditedWork {
  readonly manager: EntityManager;
  /** Records an entry of this change; it is chained and written when the body has done everything else. */
  readonly audit: (entry: AuditAppend) => void;
}

/**
 * The one way to change something audited: a transaction whose body records its audit entries,
 * which are appended to the workspace's hash chain as the transaction's last statement, right
 * before COMMIT. A transaction-scoped advisory lock per workspace serialises appends (seq has no
 * gaps, each entry links to the true head); it is taken in that one statement (audit_append: the
 * lock, the head and the insert), sent with the COMMIT in one message, so it is held for the two
 * and for no round trip to this process, never for the change's own reads and writes. An entry
 * exists exactly when its change committed.
 */
@Injectable()
export class AuditTrail {
  // The default serves `new AuditTrail(dataSource)` outside Nest (the dev admin seed, create-admin).
  constructor(
    private readonly dataSource: DataSource,
    private readonly log: AuditRepository = new AuditRepository(),
  ) {}

  /** Runs `body` in a transaction and appends what it recorded last; nothing is appended if it throws. */
  transaction<T>(body: (work: AuditedWork) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(async (manager) => {
      const entries: AuditAppend[] = [];
      let open = true;
      const work: AuditedWork = {
        manager,
        audit: (entry) => {
          if (!open) throw new Error('An audit entry must be recorded before its transaction body returns');
          entries.push(entry);
        },
      };
      const result = await body(work);
      open = false;
      if (entries.length > 0) {
        await this.appendAndCommit(manager, entries);
        committedInPlace(manager.queryRunner!);
      }
      return result;
    });
  }

  /**
   * Appends the entries, one workspace at a time in id order (so two transactions take the locks
   * in one order), the last workspace's together with the COMMIT.
   */
  private async appendAndCommit(manager: EntityManager, entries: AuditAppend[]): Promise<void> {
    // Entries of one transaction share a time: they record one change.
    const createdAt = new Date().toISOString();
    const workspaces = [...new Set(entries.map((e) => e.workspaceId))].sort();
    for (const [i, workspaceId] of workspaces.entries()) {
      const rows = entries.filter((e) => e.workspaceId === workspaceId).map((entry) => {
        const fields = {
          action: entry.action,
          resource_type: entry.resourceType,
          resource_id: entry.resourceId,
          actor_email: entry.actorEmail,
          // Stored as jsonb and read back by verifiers: hash what the database will give back.
          extra: JSON.parse(JSON.stringify(entry.extra ?? {})) as Record<string, unknown>,
          created_at: createdAt,
        };
        return { ...fields, body: canonicalBodyBeforeSeq(fields) };
      });
      if (i < workspaces.length - 1) await this.log.append(manager, workspaceId, rows);
      else await this.log.appendAndCommit(manager, workspaceId, rows);
    }
  }
}

/**
 * The transaction's COMMIT went with the audit append: the one COMMIT TypeORM sends next, as the
 * transaction ends, is answered here without a round trip, so TypeORM's state and its
 * subscribers' afterTransactionCommit (the outbox) follow as after any commit.
 */
function committedInPlace(runner: QueryRunner): void {
  const own = Object.getOwnPropertyDescriptor(runner, 'query');
  const send = runner.query.bind(runner);
  runner.query = ((...args: Parameters<QueryRunner['query']>) => {
    // Once only: the runner's own query method is back for whatever it runs next.
    if (own) Object.defineProperty(runner, 'query', own);
    else delete (runner as Partial<Pick<QueryRunner, 'query'>>).query;
    return args[0] === 'COMMIT' ? Promise.resolve(undefined) : send(...args);
  }) as QueryRunner['query'];
}
