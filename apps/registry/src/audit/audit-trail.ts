import { randomUUID } from 'node:crypto';
import { Injectable, Optional } from '@nestjs/common';
import { DataSource, type EntityManager, type QueryRunner } from 'typeorm';
import { bodyHole, canonicalBodyBeforeSeq, canonicalBodyPieces, CoalescedRuns, type BodyHole } from '#domain';
import { CommitTail } from '#persistence';
import { AppLogger } from '#runtime';
import { AuditRepository, type AuditPendingRow } from './audit.repository.js';

export interface AuditAppend {
  workspaceId: string;
  action: string;
  resourceType: string;
  resourceId: string | null;
  actorEmail: string | null;
  extra?: Record<string, unknown>;
}

/**
 * An entry that one autocommitted statement of the caller writes into audit_pending itself, with
 * the change it records: its pending row's id, its time, and its canonical body cut at the values
 * only the statement knows (canonicalBodyPieces), which the statement fills in.
 */
export interface StatementEntry {
  readonly pendingId: string;
  readonly createdAt: string;
  readonly pieces: readonly string[];
  readonly holes: readonly string[];
}

/** What the body of an audited transaction gets: its manager, and `audit` to record the entries of its change. */
export interface AuditedWork {
  readonly manager: EntityManager;
  /** Records an entry of this change; it is chained and written when the body has done everything else. */
  readonly audit: (entry: AuditAppend) => void;
}

/**
 * The one way to change something audited: a transaction whose body records its audit entries,
 * which are written with the change as its last statement and sent with the COMMIT
 * (AuditRepository.writeAndCommit), together with what the body left in the transaction's
 * CommitTail (its outbox events): one round trip for all of them. Then they are chained onto the workspace's hash chain. The workspace's
 * audit lock, which serialises the chain (seq has no gaps, each entry links to the true head), is
 * never held by the change's transaction: only by the chain's own, for the append and one WAL
 * flush, which chains every change of the workspace that committed before it. A process sends
 * one chain of a workspace at a time (group commit, CoalescedRuns): the changes that commit while
 * one is in flight share the next, so 20 writers of a workspace make a few chains, not 20 waiting
 * on the lock with a pool connection each. An entry exists exactly when its change committed,
 * pending until chained; when `transaction` returns it is on the chain, unless chaining failed,
 * and then the next chain of the workspace or AuditChainSweeper takes it.
 */
@Injectable()
export class AuditTrail {
  private readonly chains = new CoalescedRuns<string>((workspaceId) => this.log.chainPending(this.dataSource.manager, workspaceId));

  // The defaults serve `new AuditTrail(dataSource)` outside Nest (the dev admin seed, create-admin).
  constructor(
    private readonly dataSource: DataSource,
    private readonly log: AuditRepository = new AuditRepository(),
    @Optional() private readonly logger?: AppLogger,
  ) {}

  /** Runs `body` in a transaction and writes and chains what it recorded last; nothing is written if it throws. */
  async transaction<T>(body: (work: AuditedWork) => Promise<T>): Promise<T> {
    let workspaces: string[] = [];
    const result = await this.dataSource.transaction(async (manager) => {
      const entries: AuditAppend[] = [];
      let open = true;
      const work: AuditedWork = {
        manager,
        audit: (entry) => {
          if (!open) throw new Error('An audit entry must be recorded before its transaction body returns');
          entries.push(entry);
        },
      };
      const tail = CommitTail.open(manager.queryRunner!);
      const result = await body(work);
      open = false;
      if (entries.length > 0) {
        const pending = pendingRows(entries);
        await this.log.writeAndCommit(tail, pending);
        committedInPlace(manager.queryRunner!);
        workspaces = pending.map((row) => row.workspaceId);
      } else {
        await tail.send({ commit: false });
      }
      return result;
    });
    await Promise.all(workspaces.map((workspaceId) => this.chainAfterStatement(workspaceId)));
    return result;
  }

  /**
   * The entry a single statement writes with its change (see StatementEntry), for a change that is
   * one statement: no transaction, so no START TRANSACTION and COMMIT round trips. `extra` holds
   * the holes' markers where the statement's values go. Once the statement committed, the caller
   * chains it with chainAfterStatement.
   */
  entryForStatement(entry: Omit<AuditAppend, 'workspaceId'> & { extra: Record<string, unknown> }, holes: Readonly<Record<string, BodyHole>>): StatementEntry {
    const createdAt = new Date().toISOString();
    const { pieces, holes: order } = canonicalBodyPieces({
      action: entry.action, resource_type: entry.resourceType, resource_id: entry.resourceId, actor_email: entry.actorEmail,
      extra: entry.extra, created_at: createdAt,
    }, holes);
    return { pendingId: randomUUID(), createdAt, pieces, holes: order };
  }

  /**
   * The entry of a change to a version that one statement makes (a proposal, a submit): its
   * extra is the version's number and its prompt's key, which only the statement knows, so they
   * are the holes (in that order in the body: `key`, then `num`).
   */
  versionEntryForStatement(action: string, versionId: string, actorEmail: string | null): StatementEntry {
    const key = bodyHole();
    const num = bodyHole();
    return this.entryForStatement({
      action, resourceType: 'version', resourceId: versionId, actorEmail, extra: { version_num: num.marker, prompt_key: key.marker },
    }, { key, num });
  }

  /**
   * Chains the entries a statement of the caller (or transaction()) committed in `workspaceId`.
   * The change committed: a chain that fails leaves its entries pending (the next chain or the
   * sweep takes them) and must not fail the answer, or the caller would retry a change that was made.
   */
  async chainAfterStatement(workspaceId: string): Promise<void> {
    await this.chains.after(workspaceId).catch((err: unknown) => {
      this.logger?.pino.warn({ workspace_id: workspaceId, err: { message: (err as Error).message } }, 'audit entries left pending: chain failed');
    });
  }

  /**
   * Chains what the workspace has pending, sharing this process's chain of it (one in flight per
   * workspace, see CoalescedRuns): the sweep of entries left pending goes through here too.
   */
  chainPending(workspaceId: string): Promise<void> {
    return this.chains.after(workspaceId);
  }
}

/**
 * The entries as one pending row per workspace, in workspace id order (so two chains take the
 * locks in one order), each with its canonical body for the hash.
 */
function pendingRows(entries: AuditAppend[]): AuditPendingRow[] {
  // Entries of one transaction share a time: they record one change.
  const createdAt = new Date().toISOString();
  const workspaces = [...new Set(entries.map((e) => e.workspaceId))].sort();
  return workspaces.map((workspaceId) => ({
    id: randomUUID(),
    workspaceId,
    entries: entries.filter((e) => e.workspaceId === workspaceId).map((entry) => {
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
    }),
  }));
}

/**
 * The transaction's COMMIT went with its audit entries: the one COMMIT TypeORM sends next, as the
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
