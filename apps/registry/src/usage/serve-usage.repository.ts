import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { ServeTotal } from '#domain';

/** The rows that carry served_count/last_served_at. */
export type ServedTable = 'prompt_versions' | 'api_keys';

/** Serve counts on versions and API keys, and the batches already applied. Runs in the caller's transaction. */
@Injectable()
export class ServeUsageRepository {
  /** Claims the batch for this transaction; false when it was applied before. */
  async claimBatch(manager: EntityManager, batchId: string): Promise<boolean> {
    const claimed = (await manager.query(
      `INSERT INTO serve_usage_batches (batch_id) VALUES ($1) ON CONFLICT (batch_id) DO NOTHING RETURNING batch_id`,
      [batchId],
    )) as unknown[];
    return claimed.length > 0;
  }

  /** Adds one batch's totals to served_count/last_served_at; ids that do not exist are skipped. */
  async addServes(manager: EntityManager, table: ServedTable, totals: ServeTotal[]): Promise<void> {
    if (totals.length === 0) return;
    const ids = totals.map((t) => t.id);
    // Rows locked in id order: concurrent batches (other replicas) touching the same rows never deadlock.
    await manager.query(`SELECT 1 FROM ${table} WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`, [ids]);
    await manager.query(
      `UPDATE ${table} AS t
          SET served_count = t.served_count + u.count,
              last_served_at = GREATEST(t.last_served_at, u.last_served_at)
         FROM unnest($1::uuid[], $2::bigint[], $3::timestamptz[]) AS u(id, count, last_served_at)
        WHERE t.id = u.id`,
      [ids, totals.map((t) => t.count), totals.map((t) => t.lastServedAt)],
    );
  }

  /** Forgets the batches applied longer ago than `age` (an SQL interval). */
  async forgetBatchesOlderThan(manager: EntityManager, age: string): Promise<void> {
    await manager.query(`DELETE FROM serve_usage_batches WHERE applied_at < now() - $1::interval`, [age]);
  }
}
